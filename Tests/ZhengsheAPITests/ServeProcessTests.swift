import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `zhengshe serve` as a separate process on its own embedded cluster, started through
/// swift-subprocess: it answers, and SIGTERM stops it and its cluster promptly (a server that had
/// inherited one of serve's descriptors would keep it from finishing).
@Suite(.timeLimit(.minutes(3))) struct ServeProcessTests {
    @Test func serveStartsItsClusterAnswersAndStopsOnSIGTERM() async throws {
        let served = try await Served.start()
        defer { served.cleanUp() }
        let took = try await served.stop()
        #expect(!served.process.isRunning, "serve still running 20 s after SIGTERM:\n\(served.output)")
        #expect(took < .seconds(10))
        served.process.waitUntilExit()
        #expect(served.process.terminationStatus == 0, "\(served.output)")
        // serve stops the cluster it started: no postmaster is left behind.
        #expect(!FileManager.default.fileExists(atPath: served.directory + "/postgres/postmaster.pid"), "the cluster was left running")
    }

    /// A hundred connections opened and left idle, against a cap of 16: the server closes idle
    /// ones after its timeout, so a request behind them is still answered, and the server is
    /// still answering (and stopping) afterwards.
    @Test func idleConnectionsAreClosedAndTheServerKeepsAnswering() async throws {
        let served = try await Served.start(["HTTP_IDLE_TIMEOUT": "1", "HTTP_MAX_CONNECTIONS": "16"])
        defer { served.cleanUp() }
        #expect(served.output.contains("at most 16 at once, idle ones closed after 1 s"), "\(served.output)")
        var idle: [Int32] = []
        defer { for socket in idle { close(socket) } }
        for _ in 0..<100 {
            let socket = try #require(Served.connect(port: served.port))
            idle.append(socket)
        }
        // The first, accepted at once, is closed by the server after a second with no request.
        let closedAfter = try await Served.secondsUntilClosed(idle[0], within: 10)
        #expect(closedAfter.map { $0 >= 0.5 && $0 < 5 } == true, "idle connection closed after \(String(describing: closedAfter)) s")
        let started = ContinuousClock.now
        #expect(await Served.status("http://127.0.0.1:\(served.port)/health") == 200)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try await served.stop() < .seconds(10), "\(served.output)")
    }
}
