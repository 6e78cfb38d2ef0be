import Foundation
import Testing
import ZhengsheStore
import ZhengsheTestSupport

@Suite(.database, .timeLimit(.minutes(2))) struct ConcurrencyTests {
    /// 32 writers race for each version of one stream with exact expected versions. In every round
    /// exactly one wins; the 31 others get a conflict naming the winner's version; the stream
    /// ends with every version written once, no gaps, and each batch whole and contiguous.
    @Test func thirtyTwoAppendersOnOneStream() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        let writers = 32
        let rounds = 8
        let batch = 3
        var winners: [Int] = []

        for round in 0..<rounds {
            let expected = Int64(round * batch)
            let outcomes = await withTaskGroup(of: (Int, Result<AppendResult, any Error>).self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        let events = Fixture.events(batch, tag: "r\(round)w\(writer)")
                        do {
                            return (writer, .success(try await store.append(to: stream, expected: .exactly(expected), events: events)))
                        } catch {
                            return (writer, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let won = outcomes.filter { if case .success = $0.1 { true } else { false } }
            #expect(won.count == 1, "round \(round): \(won.count) winners")
            for (_, outcome) in outcomes {
                switch outcome {
                case .success(let result):
                    #expect(result.events.map(\.streamVersion) == (1...Int64(batch)).map { expected + $0 })
                case .failure(let error):
                    #expect(error as? EventStoreError == .wrongExpectedVersion(stream: stream.rawValue, expected: .exactly(expected), actual: expected + Int64(batch)))
                }
            }
            winners += won.map(\.0)
        }

        let events = try await store.readStream(stream, from: 1, limit: 10_000)
        #expect(events.map(\.streamVersion) == Array(1...Int64(rounds * batch)))
        // Each round's batch is one writer's, whole and in order.
        for round in 0..<rounds {
            let slice = events[(round * batch)..<((round + 1) * batch)]
            let tags = Set(slice.map { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] }.map { $0?["tag"] as? String })
            #expect(tags == ["r\(round)w\(winners[round])"])
            #expect(slice.map { (try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any])?["n"] as? Int } == [0, 1, 2])
        }
        #expect(try await ChainVerifier(client: TestDatabase.current.client, logger: TestDatabase.current.logger).verify(stream: stream).isIntact)
    }

    /// 32 writers each append 10 events one by one, re-reading the version after a conflict.
    /// Every event lands exactly once and the stream has no gap.
    @Test func thirtyTwoAppendersRetryingUntilDone() async throws {
        let store = try TestDatabase.current.store
        let stream = try Fixture.stream()
        let writers = 32
        let perWriter = 10
        let conflicts = await withTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var conflicts = 0
                    for n in 0..<perWriter {
                        let event = Fixture.event("Step", ["writer": writer, "n": n])
                        while true {
                            do {
                                let version = try await store.version(of: stream)
                                try await store.append(to: stream, expected: .exactly(version), events: [event])
                                break
                            } catch EventStoreError.wrongExpectedVersion {
                                conflicts += 1
                            } catch {
                                Issue.record(error)
                                return conflicts
                            }
                        }
                    }
                    return conflicts
                }
            }
            return await group.reduce(0, +)
        }
        let events = try await store.readStream(stream, from: 1, limit: 10_000)
        #expect(events.map(\.streamVersion) == Array(1...Int64(writers * perWriter)))
        #expect(Set(events.map(\.id)).count == writers * perWriter)
        #expect(conflicts > 0, "32 writers on one stream should have collided at least once")
    }
}
