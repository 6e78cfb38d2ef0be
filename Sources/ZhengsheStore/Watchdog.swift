import Synchronization

/// One timer for every bounded wait in the process (``answerWithin(_:_:)``, the pool's watched
/// queries): a wait registers what ends it (a deadline, a condition such as the database being
/// known down) and releases it with its answer.
///
/// Each wait used to keep a task of its own asleep on a timer of its own: two or three tasks and
/// as many timers in libdispatch's heap per filing (in a profile of `serve` at 8 clients, the
/// timers' dispatch 1.0 % and task creation 0.8 %; 0.6 % and 0.5 % with this). Here a registration is a dictionary insert under a lock, and one task
/// looks at all of them every ``interval`` while any is registered (none when idle).
final class Watchdog: Sendable {
    /// The process's watchdog: a tenth of a second is far below every limit it enforces (seconds).
    static let shared = Watchdog(interval: .milliseconds(100))

    struct Watch: Sendable {
        /// When the wait is over, whatever else happens.
        var deadline: ContinuousClock.Instant?
        /// Whether the wait is pointless already (looked at once an interval, off the lock).
        var isOver: (@Sendable () -> Bool)?
        /// What ends the wait; called at most once, on the watchdog's task, one watch after another
        /// (so it must be quick). A release racing the expiry may return just before it is called:
        /// what it resolves must drop an answer that comes second (``FirstAnswer`` does).
        var expire: @Sendable () -> Void
    }

    /// A registration, to release once the wait has its answer.
    struct Ticket: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct State {
        var nextID: UInt64 = 0
        var watches: [UInt64: Watch] = [:]
        var ticking = false
    }

    private let state = Mutex(State())
    let interval: Duration

    init(interval: Duration) {
        self.interval = interval
    }

    /// Registers `watch`; starts the ticking task when none runs.
    func register(_ watch: Watch) -> Ticket {
        let (id, start) = state.withLock { state -> (UInt64, Bool) in
            state.nextID &+= 1
            state.watches[state.nextID] = watch
            let start = !state.ticking
            state.ticking = true
            return (state.nextID, start)
        }
        if start {
            Task.detached { await self.tick() }
        }
        return Ticket(id: id)
    }

    /// Ends a registration: its `expire` will not be called, unless the expiry was already under way.
    func release(_ ticket: Ticket) {
        _ = state.withLock { $0.watches.removeValue(forKey: ticket.id) }
    }

    /// The number of registrations held (for tests).
    var registered: Int { state.withLock { $0.watches.count } }

    /// Whether the ticking task runs (for tests: it stops with the last registration).
    var isTicking: Bool { state.withLock { $0.ticking } }

    private func tick() async {
        while true {
            try? await Task.sleep(for: interval)
            guard let watches = state.withLock({ state -> [UInt64: Watch]? in
                if state.watches.isEmpty {
                    state.ticking = false
                    return nil
                }
                return state.watches
            }) else { return }
            let now = ContinuousClock.now
            // The conditions run off the lock: they take locks of their own.
            let due = watches.filter { _, watch in
                watch.deadline.map { now >= $0 } == true || watch.isOver?() == true
            }
            for (id, _) in due {
                // Only what is still registered expires: an answer may have come meanwhile.
                if let watch = state.withLock({ $0.watches.removeValue(forKey: id) }) {
                    watch.expire()
                }
            }
        }
    }
}
