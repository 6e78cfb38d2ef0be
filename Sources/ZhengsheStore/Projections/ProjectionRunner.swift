import Foundation
import Metrics
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// Runs one projection: reads the global log from its checkpoint with the store's gap-safe read,
/// applies batches, and moves the checkpoint in the same transaction with a compare-and-set on
/// the old one, so a process killed at any point resumes without applying an event twice or
/// skipping one.
///
/// One runner per projection across every process on the database: the runner that holds a
/// session-level advisory lock, on the dedicated connection it also writes through, runs; the
/// others try again every ``lockRetry``. When that process dies its session ends, the lock with
/// it, and another takes over within seconds; a runner whose connection is gone can write nothing
/// more, and the checkpoint's compare-and-set refuses a stale writer in any case.
///
/// It wakes on the store's `NOTIFY`, with a poll as the fallback. It also builds new generations:
/// a first one, one for a new ``Projection/version``, or one asked for by
/// `zhengshe projections rebuild`; a build catches up to exactly the live generation's checkpoint
/// and then replaces it in one transaction.
public struct ProjectionRunner: Service {
    public let projection: any Projection
    let store: PostgresEventStore
    let generations: ProjectionGenerations
    let logger: Logger
    /// Events per transaction at most.
    public var batchSize = 1000
    /// The poll behind `NOTIFY`.
    public var pollInterval: Duration = .seconds(1)
    /// How long a runner woken by an append waits before it catches up, so that the appends of that
    /// moment are applied together: without it, every filing at low load woke all three projectors
    /// into a transaction (and a WAL flush) each, four commits a filing.
    public var coalesce: Duration = .milliseconds(20)
    /// How often the lag gauges are worked out at most.
    public var lagInterval: Duration = .seconds(1)
    /// How often a process that does not hold the lock tries again.
    public var lockRetry: Duration = .seconds(2)
    /// Who runs it, as `zhengshe projections status` shows: host and process id.
    public var runnerName = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    public init(projection: any Projection, store: PostgresEventStore, logger: Logger) {
        self.projection = projection
        self.store = store
        self.generations = ProjectionGenerations(client: store.client, logger: logger)
        var logger = logger
        logger[metadataKey: "projection"] = "\(projection.name)"
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await runUntilCancelled()
        }
    }

    /// Tries to lead, and leads while it can, until cancelled.
    public func runUntilCancelled() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in try await lead(on: connection) }
                failures = 0
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("projection runner stopped; trying again", metadata: ["error": "\(String(reflecting: error))", "failures": "\(failures)"])
            }
            // Back off while it keeps failing (an event it cannot apply), up to a minute.
            try? await Task.sleep(for: failures == 0 ? lockRetry : min(lockRetry * (1 << min(failures, 5)), .seconds(60)))
        }
    }

    /// The advisory lock's key: the projection's name, hashed by PostgreSQL.
    var lockKey: String { "zhengshe-projection:\(projection.name)" }

    /// Runs the projection on `connection` while it holds the lock; returns at once if another does.
    func lead(on connection: PostgresConnection) async throws {
        let rows = try await connection.checkedQuery("SELECT pg_try_advisory_lock(hashtextextended(\(lockKey), 0))", logger: logger)
        var locked = false
        for try await value in rows.decode(Bool.self) { locked = value }
        guard locked else { return }
        logger.info("projection runner: leading", metadata: ["runner": "\(runnerName)"])
        do {
            // A transaction left open would hold back every gap-safe reader in the cluster.
            try await connection.checkedQuery("SET idle_in_transaction_session_timeout = '30s'", logger: logger)
            try await follow(on: connection)
        } catch {
            _ = try? await connection.checkedQuery("SELECT pg_advisory_unlock(hashtextextended(\(lockKey), 0))", logger: logger)
            throw error
        }
        _ = try? await connection.checkedQuery("SELECT pg_advisory_unlock(hashtextextended(\(lockKey), 0))", logger: logger)
    }

    /// Catches up, then again on every wake-up (a notification or the poll), until cancelled.
    func follow(on connection: PostgresConnection) async throws {
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Listens again after a failure (the listening connection lost); the poll covers the gap.
                while !Task.isCancelled {
                    do {
                        try await store.listenForAppends { notifications in
                            for try await _ in notifications { wake.yield() }
                        }
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("projection runner: no notifications; polling, and listening again shortly", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: lockRetry)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: pollInterval)
                    wake.yield()
                }
            }
            wake.yield()
            var lagRecorded: ContinuousClock.Instant?
            for await _ in wakeups {
                // A database restart ends the session, and the lock with it, while the pool's other
                // connections carry on: lead again on a new connection (and take the lock again)
                // rather than go on without the lock, or wait on a connection that is gone.
                guard !connection.isClosed else { throw ConnectionLost(connection: connection.id) }
                if coalesce > .zero { try await Task.sleep(for: coalesce) }
                try await catchUp(on: connection)
                if lagRecorded.map({ ContinuousClock.now - $0 >= lagInterval }) ?? true {
                    try await recordLag()
                    lagRecorded = ContinuousClock.now
                }
            }
            group.cancelAll()
        }
    }

    /// Batches of a build applied per wake-up, so that the live generation keeps up meanwhile.
    public var buildBatchesPerWakeUp = 20

    /// Brings the live generation to the head of the log and moves a build along; switches to the
    /// build once it stands exactly where the live generation does.
    ///
    /// Several versions of the code may run against one database during a deploy: a runner never
    /// touches a generation of a newer version than its own (it stops and says so), discards a
    /// build of an older one, and never replaces a live generation with an older version.
    public func catchUp(on connection: PostgresConnection) async throws {
        let all = try await generations.list(projection.name)
        if let newer = all.first(where: { $0.version > projection.version }) {
            throw ProjectionVersionNewer(projection: projection.name, found: newer.version, running: projection.version)
        }
        let live = all.first { $0.status == .live }
        var building = all.first { $0.status == .building }
        if let stale = building, stale.version < projection.version {
            try await generations.discard(stale)
            building = nil
        }
        if building == nil, live == nil || live?.version != projection.version {
            building = try await generations.startBuilding(projection)
        }
        // A live generation of an older version stays as it is (this code may not write its tables)
        // and keeps answering until the build replaces it.
        let current = live.flatMap { $0.version == projection.version ? $0 : nil }
        var livePosition = current?.position
        if let current {
            livePosition = try await drain(current, upTo: nil, on: connection).position
        }
        guard let building, !Task.isCancelled else { return }
        let (reached, done) = try await drain(building, upTo: livePosition, batches: buildBatchesPerWakeUp, on: connection)
        if done, livePosition == nil || reached == livePosition {
            var caughtUp = building
            caughtUp.position = reached
            _ = try await generations.switchOver(projection, building: caughtUp, requireLive: livePosition, on: connection)
        }
    }

    /// The live generation's distance from the head of the log, in events and in seconds since the
    /// oldest event it has not applied was recorded, as gauges.
    func recordLag() async throws {
        guard let live = try await generations.list(projection.name).first(where: { $0.status == .live }) else { return }
        let (behind, seconds) = try await generations.lag(after: live.position)
        Gauge(label: "zhengshe_projection_lag_events", dimensions: [("projection", projection.name)]).record(behind)
        Gauge(label: "zhengshe_projection_lag_seconds", dimensions: [("projection", projection.name)]).record(seconds)
    }

    /// Applies the events after `generation`'s checkpoint, batch by batch, up to the head of the log
    /// or to `limit`, at most `batches` batches. Returns the checkpoint it reached and whether
    /// nothing was left to apply.
    func drain(
        _ generation: ProjectionGeneration, upTo limit: LogPosition?, batches: Int = .max, on connection: PostgresConnection
    ) async throws -> (position: LogPosition, done: Bool) {
        var position = generation.position
        var applied = 0
        while !Task.isCancelled, applied < batches {
            var events = try await store.readAll(after: position, limit: batchSize)
            if let limit { events = events.filter { $0.position <= limit } }
            guard let last = events.last else { return (position, true) }
            do {
                try await apply(events, to: generation, after: position, on: connection)
            } catch let failure as ProjectionBatchFailed where events.count > 1 {
                logger.warning("projection batch failed; applying it event by event to name the event", metadata: ["reason": "\(failure)"])
                for event in events {
                    try await apply([event], to: generation, after: position, on: connection)
                    position = event.position
                }
            }
            position = last.position
            applied += 1
            // A short batch was the head of the log when it was read: what came since woke this
            // runner again, so no read is spent to learn that nothing is left.
            if events.count < batchSize, limit == nil { return (position, true) }
        }
        return (position, false)
    }

    /// One batch and its checkpoint, in one transaction; the checkpoint moves only from `position`.
    ///
    /// The transaction commits without waiting for its WAL flush (`synchronous_commit` off, for it
    /// alone): a projection is derived from the log, and a crash can only lose its last batches
    /// together with their checkpoint, which are then applied again. What a filer is told is
    /// durable is the log's append, whose commit still waits. Without this, every projector's batch
    /// was a flush of its own beside the filings' (three a wake-up).
    public func apply(_ events: [RecordedEvent], to generation: ProjectionGeneration, after position: LogPosition, on connection: PostgresConnection) async throws {
        try await connection.checkedQuery("BEGIN", logger: logger)
        do {
            try await connection.checkedQuery("SET LOCAL synchronous_commit = off", logger: logger)
            try await projection.apply(events, schema: generation.schema, on: connection, logger: logger)
            let last = events.last!.position
            let rows = try await connection.checkedQuery(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE projection_generations
                           SET transaction_id = $1::text::xid8, global_position = $2, events_applied = events_applied + $3,
                               last_error = NULL, runner = $4, updated_at = clock_timestamp()
                         WHERE projection = $5 AND generation = $6 AND transaction_id = $7::text::xid8 AND global_position = $8
                        RETURNING generation
                        """,
                    binds: try PostgresEventStore.binds(
                        String(last.transactionID), last.globalPosition, Int64(events.count), runnerName,
                        projection.name, generation.generation, String(position.transactionID), position.globalPosition)),
                logger: logger)
            var moved = false
            for try await _ in rows { moved = true }
            guard moved else { throw ProjectionCheckpointMoved(projection: projection.name, generation: generation.generation) }
            try await connection.checkedQuery("COMMIT", logger: logger)
            Counter(label: "zhengshe_projection_events_total", dimensions: [("projection", projection.name)]).increment(by: events.count)
        } catch {
            _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
            var error = error
            if let batch = error as? ProjectionBatchFailed, events.count == 1 { error = ProjectionFailure(event: events[0], reason: batch.reason) }
            if let failure = error as? ProjectionFailure {
                logger.error("projection stopped at an event it cannot apply", metadata: ["failure": "\(failure)"])
                _ = try? await connection.checkedQuery(
                    """
                    UPDATE projection_generations SET last_error = \(failure.description), runner = \(runnerName), updated_at = clock_timestamp()
                     WHERE projection = \(projection.name) AND generation = \(generation.generation)
                    """, logger: logger)
            }
            throw error
        }
    }
}

/// The database holds a newer version of the projection than this code: another deploy runs it.
public struct ProjectionVersionNewer: Error, CustomStringConvertible {
    public var projection: String
    public var found: Int
    public var running: Int
    public var description: String {
        "\(projection) has a generation of version \(found), newer than this build's \(running): this process leaves it to the newer one"
    }
}

/// The checkpoint was not where this runner left it: another wrote it. Nothing of the batch was kept.
public struct ProjectionCheckpointMoved: Error, CustomStringConvertible {
    public var projection: String
    public var generation: Int
    public var description: String { "the checkpoint of \(projection) generation \(generation) moved under this runner; it stops writing" }
}
