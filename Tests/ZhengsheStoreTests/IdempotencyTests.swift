import Foundation
import Testing
import ZhengsheStore
import ZhengsheTestSupport

@Suite(.database, .timeLimit(.minutes(2))) struct IdempotencyTests {
    @Test func aRetryWithTheSameIdsAndContentReturnsTheFirstResultAndWritesNothing() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        let batch = Fixture.events(3)
        let first = try await store.append(to: stream, expected: .noStream, events: batch)
        // The retry still says `noStream`: the stream has moved on, yet it is no version conflict.
        let retry = try await store.append(to: stream, expected: .noStream, events: batch)
        #expect(retry.replayed)
        #expect(retry.events == first.events)
        #expect(try await store.version(of: stream) == 3)

        // Another writer appends; the first writer's retry still replays.
        try await store.append(to: stream, expected: .exactly(3), events: Fixture.events(1))
        let late = try await store.append(to: stream, expected: .exactly(0), events: batch)
        #expect(late.replayed && late.events == first.events)
        #expect(try await store.version(of: stream) == 4)
    }

    @Test func theSameIdWithOtherContentIsAConflict() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        let original = Fixture.event("Filed", ["amount": 100])
        try await store.append(to: stream, expected: .any, events: [original])

        var altered = original
        altered.data = Data(#"{"amount": 200}"#.utf8)
        await #expect(throws: EventStoreError.idempotencyConflict(stream: stream.rawValue, eventID: original.id)) {
            try await store.append(to: stream, expected: .any, events: [altered])
        }
        var retyped = original
        retyped.type = "Withdrawn"
        await #expect(throws: EventStoreError.idempotencyConflict(stream: stream.rawValue, eventID: original.id)) {
            try await store.append(to: stream, expected: .any, events: [retyped])
        }
        // The same event filed on another stream is not the same filing either.
        let other = try Fixture.stream()
        await #expect(throws: EventStoreError.idempotencyConflict(stream: other.rawValue, eventID: original.id)) {
            try await store.append(to: other, expected: .any, events: [original])
        }
        // A batch that repeats one recorded event beside a new one is not a retry.
        await #expect(throws: EventStoreError.self) {
            try await store.append(to: stream, expected: .any, events: [original, Fixture.event()])
        }
        #expect(try await store.version(of: stream) == 1)
        #expect(try await store.version(of: other) == 0)
    }

    @Test func metadataMayDifferBetweenRetries() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        let original = Fixture.event()
        try await store.append(to: stream, expected: .any, events: [original])
        var retry = original
        retry.metadata.requestId = "another-request"
        #expect(try await store.append(to: stream, expected: .any, events: [retry]).replayed)
        #expect(try await store.readStream(stream, from: 1, limit: 10).first?.metadata.requestId == "test")
    }
}
