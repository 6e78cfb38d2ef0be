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
///
/// The queue is a courtesy, not what keeps the stream consistent (the expected version does), so
/// a filing stuck in its turn (its database gone from under it) does not hold the stream: when
/// no filing on it has finished for ``wait``, the first one waiting goes ahead anyway, and should
/// the stuck one ever append, the expected version turns it away.
public final class StreamQueue: Sendable {
    /// How long the first filing waiting waits with no filing on its stream finishing before it
    /// goes ahead anyway.
    public let wait: Duration

    private struct Waiting {
        var id: UInt64
        var turn: CheckedContinuation<Void, Never>
    }

    private struct State {
        /// For each stream being filed on: those waiting their turn, first come first.
        var streams: [String: [Waiting]] = [:]
        /// For each stream being filed on: when its last turn was given.
        var moved: [String: ContinuousClock.Instant] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(wait: Duration = .seconds(10)) {
        self.wait = wait
    }

    /// Runs `body` when the filings on `stream` queued before it have run (or the one in turn has
    /// held it for ``wait``).
    public func run<T: Sendable>(_ stream: String, _ body: () async throws -> T) async throws -> T {
        await enter(stream)
        defer { leave(stream) }
        return try await body()
    }

    private func enter(_ stream: String) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let wait = wait
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                guard state.streams[stream] != nil else {
                    state.streams[stream] = []
                    state.moved[stream] = .now
                    return true
                }
                state.streams[stream]!.append(Waiting(id: id, turn: turn))
                return false
            }
            if now {
                turn.resume()
                return
            }
            Task { [weak self] in
                var deadline = ContinuousClock.now + wait
                while true {
                    try? await Task.sleep(until: deadline)
                    guard let self, let later = self.goAhead(id, on: stream, ifStillSince: deadline - wait) else { return }
                    deadline = later
                }
            }
        }
    }

    /// Lets waiter `id` go ahead if it is first in line and the stream has not moved since
    /// `since` (whoever takes a waiter out of the line resumes it); else, while it waits, the
    /// time to look again.
    private func goAhead(_ id: UInt64, on stream: String, ifStillSince since: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let (ahead, later) = state.withLock { state -> (Waiting?, ContinuousClock.Instant?) in
            guard let line = state.streams[stream], let index = line.firstIndex(where: { $0.id == id }) else { return (nil, nil) }
            // Behind others: look again in a while (they go first).
            guard index == 0 else { return (nil, .now + wait) }
            let moved = state.moved[stream] ?? since
            guard moved <= since else { return (nil, moved + wait) }
            state.moved[stream] = .now
            return (state.streams[stream]!.removeFirst(), nil)
        }
        ahead?.turn.resume()
        return later
    }

    private func leave(_ stream: String) {
        let next = state.withLock { state -> Waiting? in
            guard var waiting = state.streams[stream], !waiting.isEmpty else {
                state.streams[stream] = nil
                state.moved[stream] = nil
                return nil
            }
            let next = waiting.removeFirst()
            state.streams[stream] = waiting
            state.moved[stream] = .now
            return next
        }
        next?.turn.resume()
    }
}
