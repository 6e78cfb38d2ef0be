import Foundation
import PostgresNIO
import Testing
import ZhengsheStore
import ZhengsheTestSupport

@Suite(.database, .timeLimit(.minutes(2))) struct AppendTests {
    @Test func appendsAndReadsBackInOrderWithAChainOfHashes() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream("agreement")
        let first = try await store.append(to: stream, expected: .noStream, events: Fixture.events(2))
        let second = try await store.append(to: stream, expected: .exactly(2), events: Fixture.events(1))
        #expect(first.events.map(\.streamVersion) == [1, 2])
        #expect(second.streamVersion == 3)
        #expect(first.replayed == false)
        #expect(second.globalPosition > first.globalPosition)

        let events = try await store.readStream(stream, from: 1, limit: 100)
        #expect(events.map(\.streamVersion) == [1, 2, 3])
        #expect(events[0].previousHash == nil)
        #expect(events[1].previousHash == events[0].hash)
        #expect(events[2].previousHash == events[1].hash)
        #expect(events.map(\.hash) == (first.events + second.events).map(\.hash))
        #expect(events[0].metadata == Fixture.metadata)
        #expect(events[0].data == #"{"n": 0, "tag": ""}"#)  // jsonb's canonical text
        #expect(events[0].occurredAt == Date(timeIntervalSince1970: 1_780_000_000))
        #expect(try await store.version(of: stream) == 3)
        #expect(try await store.readStream(stream, from: 3, limit: 10).map(\.streamVersion) == [3])
    }

    @Test func aWrongExpectedVersionIsAConflictThatNamesBothVersionsAndWritesNothing() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        try await store.append(to: stream, expected: .noStream, events: Fixture.events(3))

        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: stream.rawValue, expected: .exactly(2), actual: 3)) {
            try await store.append(to: stream, expected: .exactly(2), events: Fixture.events(2))
        }
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: stream.rawValue, expected: .noStream, actual: 3)) {
            try await store.append(to: stream, expected: .noStream, events: Fixture.events(1))
        }
        let absent = try Fixture.stream()
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: absent.rawValue, expected: .exactly(1), actual: 0)) {
            try await store.append(to: absent, expected: .exactly(1), events: Fixture.events(1))
        }
        #expect(try await store.version(of: stream) == 3)
        #expect(try await store.readStream(stream, from: 1, limit: 100).count == 3)
        #expect(try await store.readStream(absent, from: 1, limit: 100).isEmpty)
        // `any` appends whatever the version.
        #expect(try await store.append(to: stream, expected: .any, events: Fixture.events(1)).streamVersion == 4)
    }

    @Test func rejectsMalformedStreamsAndEvents() async throws {
        let store = try TestDatabase.current.store
        #expect(throws: EventStoreError.invalidStreamID("Agreement-1")) { try StreamID("Agreement-1") }
        #expect(throws: EventStoreError.invalidStreamID("agreement")) { try StreamID("agreement") }
        #expect(throws: EventStoreError.invalidStreamID("agreement-")) { try StreamID("agreement-") }
        let stream = try Fixture.stream()
        await #expect(throws: EventStoreError.self) { try await store.append(to: stream, expected: .any, events: []) }
        await #expect(throws: EventStoreError.self) {
            try await store.append(to: stream, expected: .any, events: [Fixture.event("not a type name")])
        }
        #expect(try await store.version(of: stream) == 0)
    }

    /// The database's own checks of names (Schema/0007) accept and refuse what they did before
    /// they lost their counted repetition: an id of 1 to 200 characters, a type of 1 to 100.
    @Test func theDatabaseChecksNameLengthsAtTheirBounds() async throws {
        let client = try TestDatabase.current.client
        let logger = try TestDatabase.current.logger
        func accepted(_ sql: String) async -> Bool {
            do {
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                        try await connection.query("ROLLBACK", logger: logger)
                    } catch {
                        try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
                return true
            } catch {
                return false
            }
        }
        let longest = String(repeating: "a", count: 200)
        #expect(await accepted("INSERT INTO streams (stream_id) VALUES ('test-\(longest)')"))
        #expect(await !accepted("INSERT INTO streams (stream_id) VALUES ('test-\(longest)a')"))
        #expect(await accepted("INSERT INTO streams (stream_id) VALUES ('t-1._:-x')"))
        #expect(await !accepted("INSERT INTO streams (stream_id) VALUES ('test-')"))
        #expect(await !accepted("INSERT INTO streams (stream_id) VALUES ('Test-1')"))
        #expect(await !accepted("INSERT INTO streams (stream_id) VALUES ('test-_1')"))
        func event(type: String) -> String {
            """
            INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata, occurred_at, recorded_at, hash)
            VALUES ('test-1', 1, gen_random_uuid(), '\(type)', '{}', '{}', now(), now(), sha256(''))
            """
        }
        #expect(await accepted(event(type: "A" + String(repeating: "b", count: 99))))
        #expect(await !accepted(event(type: "A" + String(repeating: "b", count: 100))))
        #expect(await accepted(event(type: "Agreement.Signed2")))
        #expect(await !accepted(event(type: "9Lives")))
        #expect(await !accepted(event(type: "")))
    }
}
