import Foundation
import Logging
import PostgresNIO
import Testing
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore
import ZhengsheTestSupport

/// The projection engine, with the funding projection, on a database of its own per test.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ProjectionRunnerTests {
    /// Every row of `table` in `schema`, as JSON text, in a stable order.
    static func rows(_ table: String, in schema: String, _ database: TestDatabase) async throws -> [String] {
        let result = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT row_to_json(t)::text FROM \(schema).\(table) t ORDER BY 1"), logger: database.logger)
        var rows: [String] = []
        for try await row in result.decode(String.self) { rows.append(row) }
        return rows
    }

    /// Catches up until the live generation holds every event recorded so far. One pass may stop
    /// short: the gap-safe read waits for transactions in flight anywhere in the cluster, and other
    /// suites run beside this one.
    static func catchUp(_ runner: ProjectionRunner, _ database: TestDatabase) async throws {
        let head = try await lastPosition(database)
        let generations = ProjectionGenerations(client: database.client, logger: database.logger)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            try await database.client.withConnection { connection in try await runner.catchUp(on: connection) }
            guard let head else { return }
            if try await generations.covers(runner.projection.name, globalPosition: head) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the projection did not reach the head")
    }

    /// Catches up every projection the service runs.
    static func catchUpAll(_ database: TestDatabase) async throws {
        for projection in Projections.all {
            try await catchUp(ProjectionRunner(projection: projection, store: database.store, logger: database.logger), database)
        }
    }

    static func live(_ name: String, _ database: TestDatabase) async throws -> ProjectionGeneration {
        try #require(try await ProjectionGenerations(client: database.client, logger: database.logger).list(name).first { $0.status == .live })
    }

    /// The figures of the hand-built year, read through the views; incremental processing in two
    /// steps and a rebuild from the first event give exactly the same rows.
    @Test(.database) func incrementalAndRebuiltTablesAgreeRowForRow() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        let runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)

        try await year.firstHalf()
        try await Self.catchUp(runner, database)  // builds generation 1 and makes it live
        let first = try await Self.live("funding", database)
        #expect(first.generation == 1 && first.lastError == nil)
        #expect(try await Self.rows("funding_transfers", in: "projections", database).count == 1)

        try await year.secondHalf()
        try await Self.catchUp(runner, database)
        #expect(try await Self.rows("funding_agreements", in: "projections", database).count == 1)
        let terms = try await Self.rows("funding_terms_in_force", in: "projections", database)
        #expect(terms.count == 2 && terms.contains { $0.contains(#""terms_version":2"#) && $0.contains(#""promised":12000000"#) && $0.contains(#""in_force_from":"2026-06-03""#) })
        #expect(terms.contains { $0.contains(#""terms_version":1"#) && $0.contains(#""in_force_from":"2026-01-09""#) })
        #expect(try await Self.rows("funding_installments", in: "projections", database).count == 5, "2 of version 1, 3 of version 2")
        let transfers = try await Self.rows("funding_transfers", in: "projections", database)
        #expect(transfers.count == 2)
        #expect(transfers.contains { $0.contains(#""transfer_id":"t1""#) && $0.contains(#""receipt":"confirmed""#) && $0.contains(#""due_date":"2026-03-31""#) })
        #expect(transfers.contains { $0.contains(#""transfer_id":"t2""#) && $0.contains(#""receipt":"discrepancy""#) && $0.contains(#""received_amount":4500000"#) })

        // Rebuild: a new generation from the first event, switched in when it stands where the live one does.
        let live = try await Self.live("funding", database)
        var incremental: [String: [String]] = [:]
        for table in FundingProjection().tables { incremental[table] = try await Self.rows(table, in: live.schema, database) }
        try await ProjectionGenerations(client: database.client, logger: database.logger).startBuilding(FundingProjection())
        try await Self.catchUp(runner, database)
        let rebuilt = try await Self.live("funding", database)
        #expect(rebuilt.generation == 2 && rebuilt.position == live.position)
        for table in FundingProjection().tables {
            #expect(try await Self.rows(table, in: rebuilt.schema, database) == incremental[table], "\(table): rebuilt = incremental")
            #expect(try await Self.rows(table, in: "projections", database) == incremental[table], "\(table): the views read the new generation")
        }
        let generations = try await ProjectionGenerations(client: database.client, logger: database.logger).list("funding")
        #expect(generations.map(\.generation) == [2], "the old generation is dropped")
    }

    /// Every projection the service runs, built in two steps and then rebuilt from the first event:
    /// exactly the same rows, table by table (the batched writes included).
    @Test(.database) func everyProjectionRebuildsToTheSameRows() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        try await Self.catchUpAll(database)
        try await year.secondHalf()
        try await Self.catchUpAll(database)
        for projection in Projections.all {
            let runner = ProjectionRunner(projection: projection, store: database.store, logger: database.logger)
            let live = try await Self.live(projection.name, database)
            var incremental: [String: [String]] = [:]
            for table in projection.tables {
                incremental[table] = try await Self.rows(table, in: live.schema, database)
                #expect(incremental[table]?.isEmpty == false, "\(projection.name).\(table) has rows to compare")
            }
            try await ProjectionGenerations(client: database.client, logger: database.logger).startBuilding(projection)
            try await Self.catchUp(runner, database)
            let rebuilt = try await Self.live(projection.name, database)
            #expect(rebuilt.generation == live.generation + 1 && rebuilt.position == live.position)
            for table in projection.tables {
                #expect(try await Self.rows(table, in: rebuilt.schema, database) == incremental[table], "\(projection.name).\(table): rebuilt = incremental")
            }
        }
    }

    /// A write collected over a batch that fails does not say which event caused it: the runner
    /// applies the batch again event by event, keeps everything before the event, and names it.
    @Test(.database) func aFailedBatchWriteIsNarrowedToItsEvent() async throws {
        let database = try TestDatabase.current
        try await HandBuiltYear(database).firstHalf()
        let runner = ProjectionRunner(projection: RefusesReceipts(), store: database.store, logger: database.logger)
        // One pass may stop short of the refused event (the gap-safe read waits for transactions in
        // flight anywhere in the shared cluster): pass again until it fails.
        var failure: ProjectionFailure?
        let deadline = ContinuousClock.now + .seconds(60)
        while failure == nil, ContinuousClock.now < deadline {
            do {
                try await database.client.withConnection { connection in try await runner.catchUp(on: connection) }
                try await Task.sleep(for: .milliseconds(25))
            } catch let stopped as ProjectionFailure {
                failure = stopped
            }
        }
        #expect(failure?.event.type == "ReceiptConfirmed", "\(String(describing: failure))")
        let stopped = try #require(try await ProjectionGenerations(client: database.client, logger: database.logger).list("batched").first)
        #expect(stopped.lastError?.contains("ReceiptConfirmed") == true, "\(stopped.lastError ?? "")")
        let kept = try await Self.rows("batched_events", in: stopped.schema, database)
        #expect(kept.count > 0 && kept.count == Int(stopped.eventsApplied), "every event before the failing one, once")
        #expect(!kept.contains { $0.contains("ReceiptConfirmed") })
    }

    /// During a deploy two versions of the code may run: an older one never touches a newer
    /// version's generations, and a newer one replaces an older live generation by a build of its own.
    @Test(.database) func versionsNeverGoBackwards() async throws {
        let database = try TestDatabase.current
        try await HandBuiltYear(database).firstHalf()
        let newer = ProjectionRunner(projection: Versioned(version: 7), store: database.store, logger: database.logger)
        try await Self.catchUp(newer, database)
        #expect(try await Self.live("funding", database).version == 7)
        let older = ProjectionRunner(projection: Versioned(version: 6), store: database.store, logger: database.logger)
        await #expect(throws: ProjectionVersionNewer.self) {
            try await database.client.withConnection { connection in try await older.catchUp(on: connection) }
        }
        let newest = ProjectionRunner(projection: Versioned(version: 8), store: database.store, logger: database.logger)
        try await Self.catchUp(newest, database)
        let live = try await Self.live("funding", database)
        #expect(live.version == 8 && live.generation == 2)
        #expect(try await Self.rows("funding_transfers", in: "projections", database).count == 1)
    }

    /// A batch that fails half-way leaves nothing behind: no rows, the checkpoint where it was, the
    /// event named in the status; the next run applies everything exactly once.
    @Test(.database) func aFailedBatchIsAppliedOnceWhenResumed() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        let crashing = ProjectionRunner(projection: CrashAfterWriting(), store: database.store, logger: database.logger)
        await #expect(throws: ProjectionFailure.self) { try await Self.catchUp(crashing, database) }
        let stopped = try #require(try await ProjectionGenerations(client: database.client, logger: database.logger).list("funding").first)
        #expect(stopped.position == .start && stopped.eventsApplied == 0)
        #expect(stopped.lastError?.contains("FundsTransferred") == true, "\(stopped.lastError ?? "")")
        #expect(try await Self.rows("funding_transfers", in: stopped.schema, database).isEmpty, "nothing of the failed batch was kept")

        let runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)
        try await Self.catchUp(runner, database)
        let live = try await Self.live("funding", database)
        #expect(live.lastError == nil && live.eventsApplied > 0)
        let transfers = try await Self.rows("funding_transfers", in: "projections", database)
        #expect(transfers.count == 1, "applied exactly once")
    }

    /// A checkpoint that moved under a runner (another wrote it) makes it stop, writing nothing.
    @Test(.database) func theCheckpointIsComparedAndSet() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        let runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)
        try await Self.catchUp(runner, database)
        let live = try await Self.live("funding", database)
        try await year.secondHalf()
        let events = try await database.store.readAll(after: live.position, limit: 100)
        // Apply as if from the start: the stored checkpoint is elsewhere, so the batch is refused.
        await #expect(throws: ProjectionCheckpointMoved.self) {
            try await database.client.withConnection { connection in
                try await runner.apply(events, to: live, after: .start, on: connection)
            }
        }
        #expect(try await Self.live("funding", database).position == live.position)
        #expect(try await Self.rows("funding_transfers", in: "projections", database).count == 1)
    }

    /// A funding runner named `name` that polls and retries its lock quickly.
    static func quickRunner(_ name: String, _ database: TestDatabase) -> ProjectionRunner {
        var runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)
        runner.runnerName = name
        runner.pollInterval = .milliseconds(100)
        runner.lockRetry = .milliseconds(200)
        return runner
    }

    /// Two runners on one database: one leads, the other waits; when the leader stops, the other
    /// takes over within seconds and carries on from the checkpoint.
    @Test(.database) func oneRunnerAtATimeAndATakeover() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        let first = Self.quickRunner("first", database)
        let second = Self.quickRunner("second", database)
        let leader = Task { await first.runUntilCancelled() }
        try await Self.waitFor(database) { $0?.eventsApplied ?? 0 > 0 }
        let follower = Task { await second.runUntilCancelled() }
        try await Task.sleep(for: .milliseconds(600))
        try await year.secondHalf()
        let head = try #require(try await Self.lastPosition(database))
        try await Self.waitUntilCovered(head, database)
        let led = try await Self.live("funding", database)
        #expect(led.runner == "first", "the second runner waits while the first holds the lock")

        leader.cancel()
        await leader.value
        try await year.file("GuidanceGiven", ["guidanceId": "g1", "kind": "visit", "summary": "上门指导"], by: year.government, on: "2026-10-01")
        let next = try #require(try await Self.lastPosition(database))
        try await Self.waitUntilCovered(next, database)
        #expect(try await Self.live("funding", database).runner == "second", "the second took over")
        follower.cancel()
        await follower.value
        let transfers = try await Self.rows("funding_transfers", in: "projections", database)
        #expect(transfers.count == 2, "each transfer once across both runners")
    }

    /// The leader's session ends under it (a database restart, an administrator): the runner
    /// notices, takes the lock again on a new connection and carries on; and when cancelled it
    /// stops at once. Before, it polled on without the lock, and the next batch waited for ever on
    /// the closed connection (PostgresNIO never answers a query sent on one), so `serve` could not
    /// stop after a restart.
    @Test(.database) func aLeaderWhoseSessionEndsLeadsAgainAndStopsPromptly() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        let runner = Self.quickRunner("restarted", database)
        let leader = Task { await runner.runUntilCancelled() }
        try await Self.waitFor(database) { $0?.eventsApplied ?? 0 > 0 }

        let lockHolders = """
            SELECT pid FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        let before = try await Self.integers(lockHolders, database)
        #expect(before.count == 1, "the leader holds the lock")
        for pid in before {
            _ = try await Self.integers("SELECT pg_terminate_backend(\(pid))::int", database)
        }

        try await year.secondHalf()
        let head = try #require(try await Self.lastPosition(database))
        try await Self.waitUntilCovered(head, database)
        let after = try await Self.integers(lockHolders, database)
        #expect(after.count == 1 && after != before, "the lock is held again, by a new session")
        #expect(try await Self.rows("funding_transfers", in: "projections", database).count == 2)

        let cancelled = ContinuousClock.now
        leader.cancel()
        await leader.value
        #expect(ContinuousClock.now - cancelled < .seconds(5), "the runner stops promptly once cancelled")
    }

    static func integers(_ sql: String, _ database: TestDatabase) async throws -> [Int] {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql), logger: database.logger)
        var values: [Int] = []
        for try await value in rows.decode(Int.self) { values.append(value) }
        return values
    }

    /// The global position of the last event recorded (committed), whatever is in flight elsewhere.
    static func lastPosition(_ database: TestDatabase) async throws -> Int64? {
        let rows = try await database.client.query("SELECT max(global_position) FROM events", logger: database.logger)
        for try await position in rows.decode(Int64?.self) { return position }
        return nil
    }

    /// Waits until the live generation holds the event at `position`.
    static func waitUntilCovered(_ position: Int64, _ database: TestDatabase, seconds: Double = 60) async throws {
        let generations = ProjectionGenerations(client: database.client, logger: database.logger)
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await generations.covers("funding", globalPosition: position) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the projection did not reach position \(position)")
    }

    static func waitFor(_ database: TestDatabase, seconds: Double = 60, _ condition: (ProjectionGeneration?) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let live = try await ProjectionGenerations(client: database.client, logger: database.logger).list("funding").first { $0.status == .live }
            if condition(live) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for the projection")
    }
}

/// The funding projection, failing after it wrote the rows of the first transfer: as if the
/// process died between its batch and its commit.
struct CrashAfterWriting: Projection {
    let inner = FundingProjection()
    var name: String { inner.name }
    var version: Int { inner.version }
    var tables: [String] { inner.tables }
    func createTables(in schema: String) -> [String] { inner.createTables(in: schema) }

    func apply(_ events: [RecordedEvent], schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await inner.apply(events, schema: schema, on: connection, logger: logger)
        if let transfer = events.first(where: { $0.type == "FundsTransferred" }) {
            throw ProjectionFailure(event: transfer, reason: "simulated crash after writing the batch")
        }
    }
}

/// Writes every event's type in one statement per batch; the table refuses ReceiptConfirmed.
struct RefusesReceipts: Projection {
    let name = "batched"
    let version = 1
    let tables = ["batched_events"]
    func createTables(in schema: String) -> [String] {
        ["CREATE TABLE \(schema).batched_events (position bigint PRIMARY KEY, type text NOT NULL CHECK (type <> 'ReceiptConfirmed'))"]
    }

    func apply(_ events: [RecordedEvent], schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        var binds = PostgresBindings()
        try binds.append(events.map(\.position.globalPosition))
        try binds.append(events.map(\.type))
        do {
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(schema).batched_events SELECT * FROM unnest($1::bigint[], $2::text[])", binds: binds), logger: logger)
        } catch where DatabaseHealth.isRefusedData(error) {
            throw ProjectionBatchFailed(reason: String(reflecting: error))
        }
    }
}

/// The funding projection under another version number.
struct Versioned: Projection {
    let inner = FundingProjection()
    let version: Int
    var name: String { inner.name }
    var tables: [String] { inner.tables }
    func createTables(in schema: String) -> [String] { inner.createTables(in: schema) }
    func apply(_ events: [RecordedEvent], schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await inner.apply(events, schema: schema, on: connection, logger: logger)
    }
}
