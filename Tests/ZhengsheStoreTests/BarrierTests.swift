import Foundation
import PostgresNIO
import Testing
import ZhengsheStore
import ZhengsheTestSupport

/// A barrier in the log (定稿屏障, `Schema/0004_log_barrier.sql`): what was recorded before it
/// committed before it, and what commits after it was recorded after it, so that "recorded by the
/// barrier's time" names the same events however late it is asked.
///
/// One at a time: each holds the log's locks for a moment, and they would hold up each other.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct BarrierTests {
    static let metadata = #"{"actor":"test","party":"","requestId":"test","role":"system"}"#

    /// Starts an append on `connection` inside a transaction left open: the append in flight.
    static func beginAppend(on connection: PostgresConnection, to stream: StreamID, logger: Logger) async throws -> Date {
        try await connection.query("BEGIN", logger: logger)
        let rows = try await connection.query(
            """
            SELECT recorded_at FROM append_events(\(stream.rawValue), 'any', 0, ARRAY[gen_random_uuid()], ARRAY['SomethingHappened'],
                                                  ARRAY[now()], ARRAY['{"n":1}'::jsonb], ARRAY[\(Self.metadata)::jsonb])
            """, logger: logger)
        for try await recordedAt in rows.decode(Date.self) { return recordedAt }
        throw CancellationError()
    }

    static func databaseNow(_ connection: PostgresConnection, logger: Logger) async throws -> Date {
        for try await now in try await connection.query("SELECT clock_timestamp()", logger: logger).decode(Date.self) { return now }
        throw CancellationError()
    }

    @Test func aBarrierWaitsForTheAppendsInFlightAndIsRecordedAfterThem() async throws {
        let store = try TestDatabase.current.store
        let (inFlight, barrierStream) = (try Fixture.stream(), try Fixture.stream())
        try await store.client.withConnection { held in
            let heldRecordedAt = try await Self.beginAppend(on: held, to: inFlight, logger: store.logger)
            let barrier = Task { try await store.append(to: barrierStream, expected: .noStream, events: Fixture.events(1), barrier: true) }
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await store.version(of: barrierStream) == 0, "the barrier was recorded while an append was in flight")
            let committing = try await Self.databaseNow(held, logger: store.logger)
            try await held.query("COMMIT", logger: store.logger)
            let recorded = try await barrier.value
            #expect(heldRecordedAt < committing)
            #expect(recorded.events[0].recordedAt > committing, "the barrier's time must follow the COMMIT of what was in flight")
        }
    }

    @Test func anAppendWaitsForABarrierAndIsRecordedAfterIt() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        try await store.client.withConnection { held in
            // What a barrier holds while it records its events.
            try await held.query("BEGIN", logger: store.logger)
            try await held.query("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE", logger: store.logger)
            let append = Task { try await store.append(to: stream, expected: .noStream, events: Fixture.events(1)) }
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await store.version(of: stream) == 0, "an append got past a barrier that had not committed")
            let committing = try await Self.databaseNow(held, logger: store.logger)
            try await held.query("COMMIT", logger: store.logger)
            let recorded = try await append.value
            // Held at the barrier, it read the clock only after it: not before, to commit after.
            #expect(recorded.events[0].recordedAt > committing)
        }
    }

    @Test func aBarrierHeldUpTooLongIsBusyAndWritesNothing() async throws {
        let shared = try TestDatabase.current.store
        let store = PostgresEventStore(client: shared.client, logger: shared.logger, barrierWait: .milliseconds(300))
        let (inFlight, barrierStream) = (try Fixture.stream(), try Fixture.stream())
        try await store.client.withConnection { held in
            _ = try await Self.beginAppend(on: held, to: inFlight, logger: store.logger)
            await #expect(throws: EventStoreError.busy(stream: barrierStream.rawValue)) {
                try await store.append(to: barrierStream, expected: .noStream, events: Fixture.events(1), barrier: true)
            }
            try await held.query("ROLLBACK", logger: store.logger)
        }
        #expect(try await store.version(of: barrierStream) == 0)
        #expect(try await store.version(of: inFlight) == 0)
        // And once nothing is in flight, it goes through.
        let recorded = try await store.append(to: barrierStream, expected: .noStream, events: Fixture.events(1), barrier: true)
        #expect(recorded.events.count == 1)
    }

    /// A barrier waiting for an append in flight does not stall the appends that come after it
    /// (a LOCK waiting in PostgreSQL's queue would hold them all for the whole wait): another
    /// stream's append goes through at once, and the barrier is recorded once the one in flight
    /// commits.
    @Test func aWaitingBarrierDoesNotHoldUpOtherAppends() async throws {
        let store = try TestDatabase.current.store
        let (inFlight, barrierStream, other) = (try Fixture.stream(), try Fixture.stream(), try Fixture.stream())
        try await store.client.withConnection { held in
            _ = try await Self.beginAppend(on: held, to: inFlight, logger: store.logger)
            let barrier = Task { try await store.append(to: barrierStream, expected: .noStream, events: Fixture.events(1), barrier: true) }
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            _ = try await store.append(to: other, expected: .noStream, events: Fixture.events(1))
            let took = ContinuousClock.now - started
            // It may wait for the rest of one of the barrier's tries (at most 400 ms), never for
            // the barrier's whole wait (5 s); a busy machine adds to that.
            #expect(took < .seconds(2), "an append waited \(took) behind a waiting barrier")
            #expect(try await store.version(of: barrierStream) == 0)
            try await held.query("COMMIT", logger: store.logger)
            #expect(try await barrier.value.events.count == 1)
        }
    }
}
