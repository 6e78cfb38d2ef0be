import Synchronization

/// Filings on one stream within this process, one after another in the order they arrived.
///
/// Each filing decides on the stream's state at a version and appends at that version; two
/// deciding at once on the same version race, and the loser decides again — under a burst on one
/// agreement (a street filing a month for a committee at once), again and again. Queued, each
/// decides on the state the one before it left, from the cache, and appends without a conflict.
/// Filings from other processes still land in between now and then: the store's expected version
/// catches them and the filing decides again, as before. Filings on different streams do not wait
/// for each other.
public final class StreamQueue: Sendable {
    /// For each stream being filed on: those waiting their turn, first come first.
    private let streams = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    public init() {}

    /// Runs `body` when the filings on `stream` queued before it have run.
    public func run<T: Sendable>(_ stream: String, _ body: () async throws -> T) async throws -> T {
        await enter(stream)
        defer { leave(stream) }
        return try await body()
    }

    private func enter(_ stream: String) async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = streams.withLock { streams in
                guard streams[stream] != nil else {
                    streams[stream] = []
                    return true
                }
                streams[stream]!.append(turn)
                return false
            }
            if now { turn.resume() }
        }
    }

    private func leave(_ stream: String) {
        let next = streams.withLock { streams -> CheckedContinuation<Void, Never>? in
            guard var waiting = streams[stream], !waiting.isEmpty else {
                streams[stream] = nil
                return nil
            }
            let next = waiting.removeFirst()
            streams[stream] = waiting
            return next
        }
        next?.resume()
    }

    /// How many streams have filings running or waiting (for tests).
    var busyStreams: Int { streams.withLock { $0.count } }
}
