import Foundation
import Synchronization
import Testing
@testable import ZhengsheStore

/// The one timer behind every bounded wait: what it ends, what it leaves alone, and that it costs
/// nothing once no wait is registered. Waits poll with a generous cap: the tests share two cores
/// with the database suites.
@Suite(.timeLimit(.minutes(1))) struct WatchdogTests {
    static func eventually(_ condition: () -> Bool, within: Duration = .seconds(5)) async throws -> Bool {
        let start = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now - start < within else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    @Test func aDeadlineEndsTheWaitOnceAndAReleasedWatchIsLeftAlone() async throws {
        let watchdog = Watchdog(interval: .milliseconds(10))
        let expired = Mutex<[String]>([])
        let soon = watchdog.register(.init(deadline: .now + .milliseconds(30)) { expired.withLock { $0.append("soon") } })
        let released = watchdog.register(.init(deadline: .now + .milliseconds(30)) { expired.withLock { $0.append("released") } })
        let later = watchdog.register(.init(deadline: .now + .seconds(60)) { expired.withLock { $0.append("later") } })
        watchdog.release(released)
        #expect(try await Self.eventually { watchdog.registered == 1 })
        // Ticks past the released watch's deadline end nothing more.
        try await Task.sleep(for: .milliseconds(100))
        #expect(expired.withLock { $0 } == ["soon"])
        // An expired watch is gone: releasing it afterwards is harmless.
        watchdog.release(soon)
        #expect(watchdog.registered == 1 && watchdog.isTicking)
        watchdog.release(later)
        #expect(watchdog.registered == 0)
        #expect(try await Self.eventually { !watchdog.isTicking })
        #expect(expired.withLock { $0 } == ["soon"])
    }

    @Test func aConditionEndsTheWaitBeforeItsDeadline() async throws {
        let watchdog = Watchdog(interval: .milliseconds(10))
        let down = Atomic<Bool>(false)
        let ended = Atomic<Int>(0)
        _ = watchdog.register(.init(deadline: .now + .seconds(60), isOver: { down.load(ordering: .relaxed) }) { ended.add(1, ordering: .relaxed) })
        try await Task.sleep(for: .milliseconds(50))
        #expect(ended.load(ordering: .relaxed) == 0 && watchdog.registered == 1)
        down.store(true, ordering: .relaxed)
        #expect(try await Self.eventually { ended.load(ordering: .relaxed) == 1 })
        #expect(watchdog.registered == 0)
        #expect(try await Self.eventually { !watchdog.isTicking })
        #expect(ended.load(ordering: .relaxed) == 1, "once")
    }

    /// The ticking stops with the last watch and starts again with the next.
    @Test func itTicksOnlyWhileAWaitIsRegistered() async throws {
        let watchdog = Watchdog(interval: .milliseconds(10))
        #expect(!watchdog.isTicking)
        for round in 0..<3 {
            let ended = Atomic<Int>(0)
            _ = watchdog.register(.init(deadline: .now + .milliseconds(20)) { ended.add(1, ordering: .relaxed) })
            #expect(watchdog.isTicking)
            #expect(try await Self.eventually { ended.load(ordering: .relaxed) == 1 }, "round \(round)")
            #expect(try await Self.eventually { !watchdog.isTicking }, "round \(round)")
        }
    }

    /// `answerWithin` through the shared watchdog: an answer in time, and a stuck body given up at
    /// its limit without holding the caller.
    @Test func answerWithinAnswersInTimeOrAtTheLimit() async throws {
        #expect(try await answerWithin(.seconds(5)) { 42 } == 42)
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await answerWithin(.milliseconds(300)) {
                // Ignores cancellation, as a query on a dead connection may: a detached task is not
                // cancelled with its waiter.
                await Task.detached { try? await Task.sleep(for: .seconds(10)) }.value
                return 0
            }
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(5), "\(waited)")
    }
}
