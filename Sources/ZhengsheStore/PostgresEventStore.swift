public import Logging
public import PostgresNIO
public import Foundation
import Metrics

/// The event store on PostgreSQL. The rules that make it safe (locking, expected versions,
/// idempotency, hash chain, append-only) live in the database (`Schema/0001_event_store.sql`);
/// this type binds values and maps errors.
public struct PostgresEventStore: EventStore {
    public let client: PostgresClient
    public let logger: Logger
    let notifier: AppendNotifier?

    /// How long a barrier waits for the appends in flight before it gives up.
    public let barrierWait: Duration
    /// Groups concurrent appends into one transaction; nil records each on its own.
    let batcher: AppendBatcher?

    /// - Parameters:
    ///   - notifier: told of every committed append, so it can wake `LISTEN`ers.
    ///   - barrierWait: how long a barrier waits for the appends in flight.
    ///   - groupCommit: how concurrent appends are grouped into one transaction; nil records each
    ///     append in a transaction of its own. The store's copies share one grouping.
    public init(
        client: PostgresClient, logger: Logger, notifier: AppendNotifier? = nil, barrierWait: Duration = .seconds(5),
        groupCommit: GroupCommit? = .default
    ) {
        self.client = client
        self.logger = logger
        self.notifier = notifier
        self.barrierWait = barrierWait
        self.batcher = groupCommit.map { settings in
            AppendBatcher(settings: settings) { appends in
                await Self.record(appends, barrier: false, client: client, barrierWait: barrierWait, notifier: notifier, logger: logger)
            }
        }
    }

    /// Metadata as stored: keys sorted, so the same metadata is the same jsonb text and hash input.
    static let metadataEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// The channel on which committed appends are announced.
    public static let notificationChannel = "zhengshe_events"

    /// Appends `events` to `stream` atomically if the stream is at `expected`.
    /// - Parameter barrier: record them as a barrier in the log (定稿屏障, `Schema/0004_log_barrier.sql`):
    ///   wait for every append in flight to commit, and hold new ones back until this one has, so
    ///   that every event recorded before these committed before them and every event recorded
    ///   after them was recorded after their COMMIT. For what must count exactly the events before
    ///   it, however often it is read (an evaluation's finalization). Gives up with
    ///   ``EventStoreError/busy(stream:)`` after ``barrierWait``, having written nothing.
    ///
    /// An ordinary append goes in a batch with the appends that arrive beside it (``GroupCommit``),
    /// when the store groups them; a barrier always goes alone.
    public func append(to stream: StreamID, expected: ExpectedVersion, events: [NewEvent], barrier: Bool) async throws -> AppendResult {
        guard !events.isEmpty else { throw EventStoreError.invalidEvent("an append needs at least one event") }
        let append = PendingAppend(stream: stream, expected: expected, events: events)
        if let batcher, !barrier { return try await batcher.append(append) }
        return try await Self.record([append], barrier: barrier, client: client, barrierWait: barrierWait, notifier: notifier, logger: logger)[0].get()
    }

    /// Records `appends` in one transaction (`append_batch`, `Schema/0006_append_batch.sql`), with
    /// an outcome for each, in order. When the batch as a whole fails in a way one append can cause
    /// (a malformed event, two appends racing for one new event id, a deadlock), it is rolled back
    /// and each append is recorded on its own, so that the failure reaches only the append that
    /// caused it.
    /// When the database cannot be reached, every append fails with that.
    static func record(
        _ appends: [PendingAppend], barrier: Bool, client: PostgresClient, barrierWait: Duration, notifier: AppendNotifier?, logger: Logger
    ) async -> [Result<AppendResult, any Error>] {
        do {
            let results = try await recordTogether(appends, barrier: barrier, client: client, barrierWait: barrierWait, logger: logger)
            let positions = results.compactMap { try? $0.get() }.filter { !$0.replayed }.map(\.globalPosition)
            if let last = positions.max() { notifier?.appended(position: last) }
            for (append, result) in zip(appends, results) { count(result, stream: append.stream) }
            return results
        } catch let error as PSQLError where appends.count > 1 && Self.isOneAppendsFault(error) {
            logger.debug("a batch of appends failed as a whole; recording them one at a time", metadata: ["error": "\(String(reflecting: error))"])
            var results: [Result<AppendResult, any Error>] = []
            for append in appends {
                results.append(await record([append], barrier: barrier, client: client, barrierWait: barrierWait, notifier: notifier, logger: logger)[0])
            }
            return results
        } catch let error as PSQLError {
            let append = appends[0]
            let mapped = Self.mapAppendError(error, stream: append.stream, expected: append.expected)
            let result = Result<AppendResult, any Error>.failure(mapped)
            if appends.count == 1 { count(result, stream: append.stream) }
            return Array(repeating: result, count: appends.count)
        } catch {
            return Array(repeating: .failure(error), count: appends.count)
        }
    }

    /// Whether a batch's failure can be one append's doing, so that recording its appends one at
    /// a time lets the others through: a refused name, type or body, two appends racing for one
    /// new event id, a deadlock with another batch. Not when the database or the connection failed:
    /// every append then fails with it, as a lone append would, and the batch's slot comes free.
    static func isOneAppendsFault(_ error: PSQLError) -> Bool {
        switch error.serverInfo?[.sqlState] {
        case "23505", "23514", "22P02", "40P01", "ZS004": true
        default: false
        }
    }

    private static func count(_ result: Result<AppendResult, any Error>, stream: StreamID) {
        switch result {
        case .success(let appended):
            Counter(label: "zhengshe_appends_total", dimensions: [("category", stream.category), ("replayed", String(appended.replayed))]).increment()
        case .failure(EventStoreError.wrongExpectedVersion):
            Counter(label: "zhengshe_append_conflicts_total", dimensions: [("category", stream.category)]).increment()
        case .failure:
            break
        }
    }

    /// One transaction: BEGIN, the barrier's lock when asked, `append_batch`, COMMIT. An explicit
    /// transaction, because PostgresNIO ends a query's rows at CommandComplete, which the server
    /// sends before it commits an implicit transaction: only a COMMIT's own completion says that
    /// the events are durable and visible.
    private static func recordTogether(
        _ appends: [PendingAppend], barrier: Bool, client: PostgresClient, barrierWait: Duration, logger: Logger
    ) async throws -> [Result<AppendResult, any Error>] {
        // One append alone goes through append_events (0001), which raises its conflicts: for a
        // single event it is cheaper than the batch function (measured with pgbench at one
        // client: about 0.15 ms a call less), and its errors are mapped like any other.
        let query = try appends.count == 1 ? singleQuery(appends[0]) : batchQuery(appends)
        let availability = DatabaseAvailability.watching(client)
        let rows = try await answerUnlessLost(
            limit: PostgresClient.queryLimit, isLost: { availability?.outage != nil },
            lost: { ConnectionLost(connection: nil, reason: availability?.outage.map { "the database is down: \($0.reason)" } ?? "no answer within \(PostgresClient.queryLimit)") }
        ) {
            try await client.withConnection { connection in
                try await connection.checkedQuery("BEGIN", logger: logger)
                do {
                    if barrier { try await Self.lockLog(connection, within: barrierWait, logger: logger) }
                    let rows = try await connection.checkedQuery(query, logger: logger).collect()
                    try await connection.checkedQuery("COMMIT", logger: logger)
                    return PostgresRows(rows: rows)
                } catch {
                    _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
        return try appends.count == 1 ? [.success(try outcome(of: appends[0], from: rows))] : outcomes(of: appends, from: rows)
    }

    /// The call of `append_events` for one append.
    static func singleQuery(_ append: PendingAppend) throws -> PostgresQuery {
        let (kind, version) = append.expected.sqlArguments
        let events = try EventColumns(append.events)
        return """
            SELECT event_id, stream_version, global_position, transaction_id, recorded_at, hash, replayed
              FROM append_events(\(append.stream.rawValue), \(kind), \(version), \(events.ids), \(events.types), \(events.occurred),
                                 \(events.data)::text[]::jsonb[], \(events.metadata)::text[]::jsonb[])
            """
    }

    /// The append's outcome from `append_events`'s rows (its conflicts are raised, as errors).
    static func outcome(of append: PendingAppend, from rows: PostgresRows) throws -> AppendResult {
        var entries: [AppendResult.Entry] = []
        entries.reserveCapacity(append.events.count)
        var replayed = false
        for row in rows.rows {
            let (id, version, position, transaction, recordedAt, hash, wasReplayed) = try row.decode((UUID, Int64, Int64, String, Date, Data, Bool).self)
            entries.append(
                .init(
                    id: id, streamVersion: version,
                    position: LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: position),
                    recordedAt: recordedAt, hash: [UInt8](hash)))
            replayed = wasReplayed
        }
        return AppendResult(streamID: append.stream.rawValue, events: entries, replayed: replayed)
    }

    /// The call of `append_batch` for `appends`, their events one append after the other.
    static func batchQuery(_ appends: [PendingAppend]) throws -> PostgresQuery {
        let streams = appends.map(\.stream.rawValue)
        let kinds = appends.map(\.expected.sqlArguments.kind)
        let versions = appends.map(\.expected.sqlArguments.version)
        let counts = appends.map { Int32($0.events.count) }
        let events = try EventColumns(appends.flatMap(\.events))
        return """
            SELECT append_index, outcome, actual_version, conflict_event, event_id, stream_version, global_position,
                   transaction_id, recorded_at, hash
              FROM append_batch(\(streams), \(kinds), \(versions), \(counts), \(events.ids), \(events.types), \(events.occurred),
                                \(events.data)::text[]::jsonb[], \(events.metadata)::text[]::jsonb[])
            """
    }

    /// Events as the append functions take them: one array a column, metadata with sorted keys.
    struct EventColumns {
        var ids: [UUID] = []
        var types: [String] = []
        var occurred: [Date] = []
        var data: [String] = []
        var metadata: [String] = []

        init(_ events: [NewEvent]) throws {
            let encoder = PostgresEventStore.metadataEncoder
            ids = events.map(\.id)
            types = events.map(\.type)
            occurred = events.map(\.occurredAt)
            data = events.map { String(decoding: $0.data, as: UTF8.self) }
            metadata = try events.map { String(decoding: try encoder.encode($0.metadata), as: UTF8.self) }
        }
    }

    /// Each append's outcome from `append_batch`'s rows.
    static func outcomes(of appends: [PendingAppend], from rows: PostgresRows) throws -> [Result<AppendResult, any Error>] {
        var entries = Array(repeating: [AppendResult.Entry](), count: appends.count)
        var replayed = Array(repeating: false, count: appends.count)
        var failures: [Int: any Error] = [:]
        for row in rows.rows {
            let (index, outcome, actual, conflict, id, version, position, transaction, recordedAt, hash) =
                try row.decode((Int32, String, Int64?, UUID?, UUID?, Int64?, Int64?, String?, Date?, Data?).self)
            let at = Int(index) - 1
            guard appends.indices.contains(at) else { continue }
            let append = appends[at]
            switch outcome {
            case "wrong_version":
                failures[at] = EventStoreError.wrongExpectedVersion(stream: append.stream.rawValue, expected: append.expected, actual: actual ?? -1)
            case "idempotency_conflict":
                failures[at] = EventStoreError.idempotencyConflict(stream: append.stream.rawValue, eventID: conflict)
            default:
                guard let id, let version, let position, let transaction, let recordedAt, let hash else { continue }
                replayed[at] = outcome == "replayed"
                entries[at].append(
                    .init(
                        id: id, streamVersion: version,
                        position: LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: position),
                        recordedAt: recordedAt, hash: [UInt8](hash)))
            }
        }
        return appends.indices.map { at in
            if let failure = failures[at] { return .failure(failure) }
            guard entries[at].count == appends[at].events.count || (replayed[at] && !entries[at].isEmpty) else {
                return .failure(BatchOutcomeMissing())
            }
            return .success(
                AppendResult(streamID: appends[at].stream.rawValue, events: entries[at].sorted { $0.streamVersion < $1.streamVersion },
                             replayed: replayed[at]))
        }
    }

    /// Takes the log's barrier lock in the transaction open on `connection`, trying for a while at
    /// a time (200 ms, then 400 ms each time) until `wait` has passed: a LOCK waiting in
    /// PostgreSQL's queue holds every append that comes after it, so a barrier steps out of the
    /// queue (ROLLBACK, a new BEGIN) and lets them pass rather than stall them all for the whole
    /// wait. The rest of the transaction keeps `wait` as its lock timeout.
    static func lockLog(_ connection: PostgresConnection, within wait: Duration, logger: Logger) async throws {
        func milliseconds(_ duration: Duration) -> Int64 {
            let parts = duration.components
            return max(1, parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000)
        }
        let deadline = ContinuousClock.now + wait
        var step = Duration.milliseconds(200)
        while true {
            let left = deadline - ContinuousClock.now
            do {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(milliseconds(min(step, left)))ms'"), logger: logger)
                try await connection.checkedQuery("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE", logger: logger)
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(milliseconds(wait))ms'"), logger: logger)
                return
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" && ContinuousClock.now < deadline {
                try await connection.checkedQuery("ROLLBACK", logger: logger)
                try await Task.sleep(for: .milliseconds(Int.random(in: 20...60)))
                try await connection.checkedQuery("BEGIN", logger: logger)
                step = min(step * 2, .milliseconds(400))
            }
        }
    }

    public func version(of stream: StreamID) async throws -> Int64 {
        let rows = try await client.checkedQuery(
            "SELECT version FROM streams WHERE stream_id = \(stream.rawValue)",
            logger: logger
        )
        for try await version in rows.decode(Int64.self) { return version }
        return 0
    }

    /// Columns of a ``RecordedEvent`` from `events e`, in the order ``decodeEvents(_:)`` reads them.
    /// The text form of the transaction id has a name of its own, so that an `ORDER BY` can never
    /// sort by it (as text, 999 sorts after 1041).
    static let eventColumns = """
        e.stream_id, e.stream_version, e.global_position, e.transaction_id::text AS transaction_text, e.event_id, e.event_type,
        e.data::text, e.metadata::text, e.occurred_at, e.recorded_at, e.previous_hash, e.hash
        """

    public func readStream(_ stream: StreamID, from version: Int64 = 1, limit: Int = 1000) async throws -> [RecordedEvent] {
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.eventColumns) FROM events e
                     WHERE e.stream_id = $1 AND e.stream_version >= $2
                     ORDER BY e.stream_version LIMIT $3
                    """,
                binds: try Self.binds(stream.rawValue, version, Int64(limit))
            ),
            logger: logger
        )
        return try await Self.decodeEvents(rows)
    }

    /// The recorded events among `ids`, in stream order.
    public func events(withIDs ids: [UUID]) async throws -> [RecordedEvent] {
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.eventColumns) FROM events e WHERE e.event_id = ANY($1) ORDER BY e.stream_id, e.stream_version",
                binds: try Self.binds(ids)
            ),
            logger: logger
        )
        return try await Self.decodeEvents(rows)
    }

    public func readAll(after position: LogPosition = .start, limit: Int = 1000) async throws -> [RecordedEvent] {
        // Only transactions older than the oldest one still in flight are final: any event that
        // commits later belongs to a transaction at or above that horizon, so it sorts after
        // everything returned here and a reader resuming from the last pair cannot skip it.
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.eventColumns) FROM events e
                     WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2)
                       AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY e.transaction_id, e.global_position LIMIT $3
                    """,
                binds: try Self.binds(String(position.transactionID), position.globalPosition, Int64(limit))
            ),
            logger: logger
        )
        return try await Self.decodeEvents(rows)
    }

    /// Where the log stands for a reader now: the oldest transaction still in flight (every
    /// event below it has committed, and none can join them) and the last event below it; 0 for
    /// an empty log.
    public func horizon() async throws -> (globalPosition: Int64, transactionHorizon: Int64) {
        let rows = try await client.checkedQuery(
            """
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text,
                   coalesce((SELECT global_position FROM events WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                              ORDER BY global_position DESC LIMIT 1), 0)
            """, logger: logger)
        for try await (horizon, position) in rows.decode((String, Int64).self) { return (position, Int64(horizon) ?? 0) }
        return (0, 0)
    }

    static func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return bindings
    }

    static func decodeEvents(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [RecordedEvent] {
        let decoder = JSONDecoder()
        var events: [RecordedEvent] = []
        for try await row in rows {
            let (stream, version, global, transaction, id, type, data, metadata, occurred, recorded, previous, hash) =
                try row.decode((String, Int64, Int64, String, UUID, String, String, String, Date, Date, Data?, Data).self)
            events.append(
                RecordedEvent(
                    streamID: stream,
                    streamVersion: version,
                    position: LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: global),
                    id: id,
                    type: type,
                    data: data,
                    metadata: try decoder.decode(EventMetadata.self, from: Data(metadata.utf8)),
                    occurredAt: occurred,
                    recordedAt: recorded,
                    previousHash: previous.map { [UInt8]($0) },
                    hash: [UInt8](hash)
                )
            )
        }
        return events
    }
}

extension ExpectedVersion {
    /// The expectation as the append functions take it: 'any', 'no_stream' or 'exact' and the version.
    var sqlArguments: (kind: String, version: Int64) {
        switch self {
        case .any: ("any", 0)
        case .noStream: ("no_stream", 0)
        case .exactly(let n): ("exact", n)
        }
    }
}
