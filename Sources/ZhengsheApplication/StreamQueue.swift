import Synchronization

/// Filings on one stream within this process, one after another in the order they arrived.
///
/// Each filing decides on the stream's state at a version and appends at that version; two
/// deciding at once on the same version race, and the loser decides again — under a burst on one
/// agreement (a street filing a month for a committee at once), again and again. Queued, each
/// decides on the state the one before it left, from the cache, and appends without a conflict.
/// Filings from other processes still land in between now and then: the store's expected version
/// catches them and the filing decides again, as before. Filings on different streams do not wait
/// for each other. A queue that moves may be long (a burst of hundreds); one that stops does not
/// keep its filings: when no filing on the stream has finished for ``wait`` (the one in turn is
/// stuck, its database gone), those waiting are told to retry rather than left without an answer.
public final class StreamQueue: Sendable {
    /// How long a filing waits with no filing on its stream finishing before it gives up.
    public let wait: Duration

    private struct Waiting {
        var id: UInt64
        var turn: CheckedContinuation<Bool, Never>
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

    /// Runs `body` when the filings on `stream` queued before it have run.
    /// - Throws: ``StreamQueue/TimedOut`` when the queue stood still for ``wait`` before its turn
    ///   came; `body` did not run then.
    public func run<T: Sendable>(_ stream: String, _ body: () async throws -> T) async throws -> T {
        guard await enter(stream) else { throw TimedOut(stream: stream) }
        defer { leave(stream) }
        return try await body()
    }

    public struct TimedOut: Error, Hashable {
        public var stream: String

        public init(stream: String) { self.stream = stream }
    }

    /// Whether the turn came (false: the queue stood still for ``wait`` first).
    private func enter(_ stream: String) async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let wait = wait
        return await withCheckedContinuation { (turn: CheckedContinuation<Bool, Never>) in
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
                turn.resume(returning: true)
                return
            }
            Task { [weak self] in
                var deadline = ContinuousClock.now + wait
                while true {
                    try? await Task.sleep(until: deadline)
                    guard let self, let later = self.withdraw(id, from: stream, ifStillSince: deadline - wait) else { return }
                    deadline = later
                }
            }
        }
    }

    /// Gives up on waiter `id` if it is still waiting and the stream has not moved since `since`
    /// (whoever takes a waiter out of the queue resumes it); else, while it waits, the time to
    /// look again.
    private func withdraw(_ id: UInt64, from stream: String, ifStillSince since: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let (withdrawn, later) = state.withLock { state -> (Waiting?, ContinuousClock.Instant?) in
            guard let index = state.streams[stream]?.firstIndex(where: { $0.id == id }) else { return (nil, nil) }
            if let moved = state.moved[stream], moved > since { return (nil, moved + wait) }
            return (state.streams[stream]!.remove(at: index), nil)
        }
        withdrawn?.turn.resume(returning: false)
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
        next?.turn.resume(returning: true)
    }
}
