import Foundation
import Testing
import Synchronization
@testable import ZhengsheStore
import ZhengsheTestSupport

/// Appends grouped into one transaction (成组提交) keep every guarantee of an append on its own.
@Suite(.database, .timeLimit(.minutes(3))) struct GroupCommitTests {
    /// What one append in a round was meant to test, and so what its outcome must be.
    enum Kind: Sendable, Hashable { case racer(Int), retry, stale, reusedID }

    /// 36 streams, 6 rounds each, all streams at once: in each round 4 racers append to the
    /// stream at its current version, the winner of the round before is retried with its ids and
    /// content, an append pinned to a version before that is stale, and an append reuses the last
    /// winner's ids with other content. 288 appends in flight at a time, about 1,300 in all.
    /// Every outcome is checked, and the log after: each stream holds exactly its winners, in
    /// order, its chain intact, and a reader of the global log sees every event once.
    @Test func mixedConcurrentAppendsOnManyStreamsEachGetTheirOwnOutcome() async throws {
        let database = try TestDatabase.current
        let store = database.store
        let streams = try (0..<36).map { _ in try Fixture.stream("group") }
        let rounds = 6
        let racers = 4

        let winners = try await withThrowingTaskGroup(of: (StreamID, [NewEvent]).self) { group in
            for stream in streams {
                group.addTask {
                    var won: [NewEvent] = []
                    var last: (events: [NewEvent], result: AppendResult)?
                    for round in 0..<rounds {
                        let version = Int64(round)
                        var appends: [(Kind, ExpectedVersion, [NewEvent])] = (0..<racers).map { racer in
                            (.racer(racer), version == 0 ? .noStream : .exactly(version), [Fixture.event("Raced", ["round": round, "racer": racer])])
                        }
                        if let last {
                            appends.append((.retry, .exactly(version - 1), last.events))
                            appends.append((.reusedID, .exactly(version), last.events.map { Fixture.event("Raced", ["other": true], id: $0.id) }))
                        }
                        if round >= 2 { appends.append((.stale, .exactly(version - 2), [Fixture.event("Stale", ["round": round])])) }
                        let outcomes = await withTaskGroup(of: (Kind, [NewEvent], Result<AppendResult, any Error>).self) { group in
                            for (kind, expected, events) in appends {
                                group.addTask {
                                    (kind, events, await Result { try await store.append(to: stream, expected: expected, events: events) })
                                }
                            }
                            return await group.reduce(into: []) { $0.append($1) }
                        }
                        var winner: (events: [NewEvent], result: AppendResult)?
                        for (kind, events, outcome) in outcomes {
                            switch (kind, outcome) {
                            case (.racer, .success(let result)):
                                #expect(winner == nil, "\(stream) round \(round): two racers won")
                                #expect(!result.replayed && result.events.map(\.streamVersion) == [version + 1])
                                winner = (events, result)
                            case (.racer, .failure(let error)):
                                #expect(error as? EventStoreError == .wrongExpectedVersion(stream: stream.rawValue, expected: version == 0 ? .noStream : .exactly(version), actual: version + 1))
                            case (.retry, .success(let result)):
                                #expect(result.replayed && result.events == last?.result.events, "\(stream) round \(round): a retry must answer the first answer")
                            case (.stale, .failure(let error)):
                                guard case .wrongExpectedVersion(let name, .exactly(version - 2), let actual) = error as? EventStoreError else {
                                    Issue.record("\(stream) round \(round): stale append failed with \(error)")
                                    continue
                                }
                                #expect(name == stream.rawValue && (actual == version || actual == version + 1))
                            case (.reusedID, .failure(let error)):
                                #expect(error as? EventStoreError == .idempotencyConflict(stream: stream.rawValue, eventID: last?.events[0].id))
                            default:
                                Issue.record("\(stream) round \(round): \(kind) had the outcome \(outcome)")
                            }
                        }
                        guard let winner else {
                            Issue.record("\(stream) round \(round): no racer won")
                            return (stream, won)
                        }
                        won += winner.events
                        last = winner
                    }
                    return (stream, won)
                }
            }
            return try await group.reduce(into: [StreamID: [NewEvent]]()) { $0[$1.0] = $1.1 }
        }

        for stream in streams {
            let recorded = try await store.readStream(stream, from: 1, limit: 1000)
            #expect(recorded.map(\.id) == winners[stream]?.map(\.id), "\(stream) holds exactly its winners, in order")
            #expect(recorded.map(\.streamVersion) == Array(1...Int64(rounds)))
            #expect(try await ChainVerifier(client: database.client, logger: database.logger).verify(stream: stream).isIntact)
        }
        // The suite's other tests write beside this one: count this test's streams only.
        let names = Set(streams.map(\.rawValue))
        let all = try await store.readAll(after: .start, limit: 100_000).filter { names.contains($0.streamID) }
        #expect(all.count == streams.count * rounds)
        #expect(Set(all.map(\.id)).count == all.count)
        let counts = try #require(store.groupCommitCounts)
        #expect(counts.batches < counts.appends, "appends were grouped: \(counts.appends) appends in \(counts.batches) batches")
    }

    /// A batch in which one append cannot be stored at all (the database refuses the whole
    /// batch) is made again one append at a time: the others are recorded, and only that one fails.
    @Test func anAppendTheDatabaseRefusesFailsAloneAndItsNeighboursAreRecorded() async throws {
        let store = try TestDatabase.current.store
        let streams = try (0..<24).map { _ in try Fixture.stream("group") }
        let outcomes = await withTaskGroup(of: (Int, Result<AppendResult, any Error>).self) { group in
            for (index, stream) in streams.enumerated() {
                group.addTask {
                    // An event type the log's CHECK refuses, on every sixth stream.
                    let type = index % 6 == 5 ? "not a type!" : "Fine"
                    return (index, await Result { try await store.append(to: stream, expected: .noStream, events: [Fixture.event(type)]) })
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (index, stream) in streams.enumerated() {
            switch (index % 6 == 5, outcomes[index]) {
            case (false, .success(let result)):
                #expect(result.streamVersion == 1 && !result.replayed)
            case (true, .failure(let error)):
                guard case .invalidEvent = error as? EventStoreError else {
                    Issue.record("stream \(index): \(error)")
                    continue
                }
                #expect(try await store.version(of: stream) == 0)
            default:
                Issue.record("stream \(index): \(String(describing: outcomes[index]))")
            }
        }
    }

}

/// The batcher's scheduling alone, with a recorder that only notes what it was given: the
/// database's part is tested above.
@Suite struct AppendBatcherTests {
    /// 600 appends from 60 tasks on 8 streams: never is a stream in two batches at once (what
    /// keeps one stream's appends in order), no more batches run at once than allowed, every
    /// append is answered with its own outcome, and they were grouped.
    @Test func aStreamIsNeverInTwoBatchesAtOnce() async throws {
        final class Watch: Sendable {
            let inFlight = Mutex<[String: Int]>([:])
            let running = Mutex(0)
            let overlaps = Atomic<Int>(0)
            let mostRunning = Atomic<Int>(0)
        }
        let watch = Watch()
        let batcher = AppendBatcher(settings: GroupCommit(concurrentBatches: 2, maximumAppends: 16)) { appends in
            let now = watch.running.withLock { $0 += 1; return $0 }
            watch.mostRunning.max(now, ordering: .relaxed)
            watch.inFlight.withLock { inFlight in
                for stream in Set(appends.map(\.stream.rawValue)) {
                    if inFlight[stream] != nil { watch.overlaps.add(1, ordering: .relaxed) }
                    inFlight[stream, default: 0] += 1
                }
            }
            try? await Task.sleep(for: .milliseconds(2))
            watch.inFlight.withLock { inFlight in
                for stream in Set(appends.map(\.stream.rawValue)) { inFlight[stream] = nil }
            }
            watch.running.withLock { $0 -= 1 }
            return appends.map { append in
                .success(AppendResult(streamID: append.stream.rawValue, events: [], replayed: false))
            }
        }
        let streams = try (0..<8).map { try StreamID(category: "order", id: "s\($0)") }
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<60 {
                group.addTask {
                    var answered = 0
                    for n in 0..<10 {
                        let stream = streams[(task + n) % streams.count]
                        let result = try await batcher.append(PendingAppend(stream: stream, expected: .any, events: [Fixture.event()]))
                        if result.streamID == stream.rawValue { answered += 1 }
                    }
                    return answered
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(answered == 600)
        #expect(watch.overlaps.load(ordering: .relaxed) == 0)
        #expect(watch.mostRunning.load(ordering: .relaxed) <= 2)
        #expect(batcher.recordedAppends.load(ordering: .relaxed) == 600)
        #expect(batcher.recorded.load(ordering: .relaxed) < 600)
    }

    /// An append whose caller is cancelled while it waits for a batch leaves the line, unsent; the
    /// append in the batch under way is recorded as if nothing happened.
    @Test func aCancelledWaitingAppendLeavesTheLineUnsent() async throws {
        let seen = Mutex<[String]>([])
        let batcher = AppendBatcher(settings: GroupCommit(concurrentBatches: 1)) { appends in
            seen.withLock { $0 += appends.map(\.stream.rawValue) }
            try? await Task.sleep(for: .milliseconds(300))
            return appends.map { .success(AppendResult(streamID: $0.stream.rawValue, events: [], replayed: false)) }
        }
        let first = try StreamID(category: "cancel", id: "first")
        let second = try StreamID(category: "cancel", id: "second")
        let recording = Task { try await batcher.append(PendingAppend(stream: first, expected: .any, events: [Fixture.event()])) }
        try await Task.sleep(for: .milliseconds(50))
        let waiting = Task { try await batcher.append(PendingAppend(stream: second, expected: .any, events: [Fixture.event()])) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(try await recording.value.streamID == first.rawValue)
        try await Task.sleep(for: .milliseconds(100))
        #expect(seen.withLock { $0 } == [first.rawValue])
    }
}
