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
///
/// A filing cancelled while it waits (its request answered without it, or gone) leaves the line at
/// once and never runs; one overtaken after ``wait`` that finishes late hands the turn to no one
/// (the filing that overtook it holds it).
public final class StreamQueue: Sendable {
    /// How long the first filing waiting waits with no filing on its stream finishing before it
    /// goes ahead anyway.
    public let wait: Duration

    private struct Waiting {
        var id: UInt64
        var turn: CheckedContinuation<Bool, Never>
    }

    /// A stream being filed on: who holds the turn, who waits, and when the turn last moved.
    private struct Line {
        var holder: UInt64
        var waiting: [Waiting] = []
        var moved: ContinuousClock.Instant

        /// Gives the turn to the first waiting.
        mutating func next() -> Waiting? {
            guard !waiting.isEmpty else { return nil }
            let next = waiting.removeFirst()
            holder = next.id
            moved = .now
            return next
        }
    }

    private struct State {
        var lines: [String: Line] = [:]
        /// Filings cancelled before they were in a line (or after they were given their turn).
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(wait: Duration = .seconds(10)) {
        self.wait = wait
    }

    /// Runs `body` when the filings on `stream` queued before it have run (or the one in turn has
    /// held it for ``wait``).
    /// - Throws: `CancellationError` when the task is cancelled while waiting (`body` does not run).
    public func run<T: Sendable>(_ stream: String, _ body: () async throws -> T) async throws -> T {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        guard await enter(stream, id) else { throw CancellationError() }
        defer { leave(stream, id) }
        return try await body()
    }

    /// Waits for the turn on `stream`: true when given it, false when cancelled first.
    private func enter(_ stream: String, _ id: UInt64) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (turn: CheckedContinuation<Bool, Never>) in
                let answer = state.withLock { state -> Bool? in
                    if state.cancelled.remove(id) != nil { return false }
                    guard state.lines[stream] != nil else {
                        state.lines[stream] = Line(holder: id, moved: .now)
                        return true
                    }
                    state.lines[stream]!.waiting.append(Waiting(id: id, turn: turn))
                    return nil
                }
                if let answer {
                    turn.resume(returning: answer)
                    return
                }
                let wait = wait
                Task { [weak self] in
                    var deadline = ContinuousClock.now + wait
                    while true {
                        try? await Task.sleep(until: deadline)
                        guard let self, let later = self.goAhead(id, on: stream, ifStillSince: deadline - wait) else { return }
                        deadline = later
                    }
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> Waiting? in
                if let index = state.lines[stream]?.waiting.firstIndex(where: { $0.id == id }) {
                    return state.lines[stream]!.waiting.remove(at: index)
                }
                // Not in the line: not in it yet (it looks here first), or already given its turn.
                state.cancelled.insert(id)
                return nil
            }
            removed?.turn.resume(returning: false)
        }
    }

    /// Lets waiter `id` go ahead if it is first in line and the stream has not moved since
    /// `since` (whoever takes a waiter out of the line resumes it); else, while it waits, the
    /// time to look again.
    private func goAhead(_ id: UInt64, on stream: String, ifStillSince since: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let (ahead, later) = state.withLock { state -> (Waiting?, ContinuousClock.Instant?) in
            guard var line = state.lines[stream], let index = line.waiting.firstIndex(where: { $0.id == id }) else { return (nil, nil) }
            // Behind others: look again in a while (they go first).
            guard index == 0 else { return (nil, .now + wait) }
            guard line.moved <= since else { return (nil, line.moved + wait) }
            let ahead = line.next()
            state.lines[stream] = line
            return (ahead, nil)
        }
        ahead?.turn.resume(returning: true)
        return later
    }

    private func leave(_ stream: String, _ id: UInt64) {
        let next = state.withLock { state -> Waiting? in
            state.cancelled.remove(id)
            // Overtaken after `wait`: the turn is another's now.
            guard var line = state.lines[stream], line.holder == id else { return nil }
            guard let next = line.next() else {
                state.lines[stream] = nil
                return nil
            }
            state.lines[stream] = line
            return next
        }
        next?.turn.resume(returning: true)
    }
}
