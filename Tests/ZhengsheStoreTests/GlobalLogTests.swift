import Foundation
import Logging
import PostgresNIO
import Testing
import ZhengsheStore
import ZhengsheTestSupport

/// Reading the global log. Serialized: one test holds a transaction open on purpose, and the
/// global reader waits for every transaction older than its horizon.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct GlobalLogTests {
    /// Reads everything after `position`, in pages, until `done` holds for what it read (or 20 s
    /// pass). The horizon is cluster-wide: while other suites' transactions are in flight the
    /// reader waits for them, as a projector would.
    func read(
        _ store: PostgresEventStore, after position: LogPosition, pageSize: Int = 7,
        until done: ([RecordedEvent]) -> Bool
    ) async throws -> [RecordedEvent] {
        var seen: [RecordedEvent] = []
        var checkpoint = position
        let deadline = ContinuousClock.now + .seconds(20)
        while !done(seen) && ContinuousClock.now < deadline {
            let page = try await store.readAll(after: checkpoint, limit: pageSize)
            if let last = page.last {
                seen += page
                checkpoint = last.position
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        return seen
    }

    func read(_ store: PostgresEventStore, after position: LogPosition, containing ids: [UUID]) async throws -> [RecordedEvent] {
        try await read(store, after: position) { seen in Set(ids).isSubset(of: seen.map(\.id)) }
    }

    /// Where the log ends now: the position of the last event every reader can see.
    func end(_ store: PostgresEventStore) async throws -> LogPosition {
        var position = LogPosition.start
        while let last = try await store.readAll(after: position, limit: 1000).last { position = last.position }
        return position
    }

    @Test func readsEveryEventOnceInPagesInCommitSafeOrder() async throws {
        let store = try TestDatabase.current.store
        let start = try await end(store)
        let streams = try (0..<5).map { _ in try Fixture.stream() }
        var appended: [UUID] = []
        var positions: [LogPosition] = []
        for round in 0..<4 {
            for stream in streams {
                let events = Fixture.events(round % 2 + 1)
                positions += try await store.append(to: stream, expected: .any, events: events).events.map(\.position)
                appended += events.map(\.id)
            }
        }
        let read = try await read(store, after: start, containing: appended)
        #expect(read.map(\.id) == appended, "start \(start), appended at \(positions), read \(read.map(\.position))")
        #expect(zip(read, read.dropFirst()).allSatisfy { $0.position < $1.position })
    }

    /// A slow transaction takes a lower position, a fast one a higher position and commits first.
    /// A reader by position alone would pass the slow one's position and never come back; this
    /// reader holds back until the slow one ends, then sees both, slow first.
    @Test func neverSkipsAnEventThatASlowerTransactionCommitsLate() async throws {
        let database = try TestDatabase.current
        let store = database.store
        var checkpoint = try await end(store)
        let slowStream = try Fixture.stream()
        let fastStream = try Fixture.stream()
        let slowEvent = Fixture.event("Slow")
        let fastEvent = Fixture.event("Fast")

        checkpoint = try await database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: database.logger)
            do {
                let rows = try await connection.query(
                    """
                    SELECT global_position FROM append_events(\(slowStream.rawValue), 'any', 0, ARRAY[\(slowEvent.id)]::uuid[],
                        ARRAY['Slow'], ARRAY[\(slowEvent.occurredAt)]::timestamptz[], ARRAY['{}'::jsonb],
                        ARRAY['{"actor": "slow", "role": "system", "party": ""}'::jsonb])
                    """,
                    logger: database.logger
                )
                var slowPosition: Int64 = 0
                for try await position in rows.decode(Int64.self) { slowPosition = position }

                let fast = try await store.append(to: fastStream, expected: .any, events: [fastEvent])
                #expect(fast.globalPosition > slowPosition, "the fast transaction took the higher position")
                #expect(try await store.readStream(fastStream, from: 1, limit: 10).count == 1, "and it has committed")

                // While the slow transaction is open, the reader gets neither.
                let during = try await store.readAll(after: checkpoint, limit: 100)
                #expect(!during.contains { $0.id == fastEvent.id || $0.id == slowEvent.id })
                try await connection.query("COMMIT", logger: database.logger)
                return during.last?.position ?? checkpoint
            } catch {
                try? await connection.query("ROLLBACK", logger: database.logger)
                throw error
            }
        }

        let after = try await read(store, after: checkpoint, containing: [slowEvent.id, fastEvent.id])
        let ids = after.map(\.id)
        #expect(ids.contains(slowEvent.id), "the late commit was skipped")
        #expect(ids.firstIndex(of: slowEvent.id)! < ids.firstIndex(of: fastEvent.id)!)
    }

    @Test func aCommittedAppendWakesListeners() async throws {
        let store = try TestDatabase.current.store
        let notifier = AppendNotifier(client: try TestDatabase.current.client, logger: try TestDatabase.current.logger)
        let notifying = PostgresEventStore(client: store.client, logger: store.logger, notifier: notifier)
        let stream = try Fixture.stream()
        let payload = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await notifier.run(); return nil }
            group.addTask {
                try await store.listenForAppends { notifications in
                    // Appends happen only once we listen, so the notification cannot be missed.
                    let appender = Task { try await notifying.append(to: stream, expected: .any, events: [Fixture.event()]) }
                    defer { appender.cancel() }
                    for try await notification in notifications { return notification.payload }
                    return nil
                }
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let position = try #require(payload.flatMap { Int64($0) })
        #expect(position > 0)
    }
}
