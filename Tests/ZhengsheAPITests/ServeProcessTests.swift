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
    /// The `zhengshe` built beside the test runner.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhengshe")
    }

    /// A `zhengshe serve` on its own embedded cluster, answering on a port of its choosing.
    struct Served {
        let process: Process
        let directory: String
        let log: String
        let port: Int

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        static func start(_ environment: [String: String] = [:]) async throws -> Served {
            let binary = ServeProcessTests.binary
            try #require(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) was not built")
            let directory = "/tmp/zhengshe-serve-\(UUID().uuidString.prefix(8))"
            let log = directory + ".log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = binary
            // Port 0: any free port, read back from serve's log.
            process.arguments = ["serve", "--port", "0", "--data-dir", directory]
            var inherited = ProcessInfo.processInfo.environment
            inherited["DATABASE_URL"] = nil
            process.environment = inherited.merging(environment) { $1 }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let output = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            for _ in 0..<120 {
                try await Task.sleep(for: .milliseconds(500))
                guard let port = ServeProcessTests.listeningPort(output()) else { continue }
                if await ServeProcessTests.status("http://127.0.0.1:\(port)/health") == 200 {
                    return Served(process: process, directory: directory, log: log, port: port)
                }
            }
            kill(process.processIdentifier, SIGKILL)
            Issue.record("serve never answered /health:\n\(output())")
            throw CancellationError()
        }

        /// SIGTERM, and how long it took to stop.
        func stop() async throws -> Duration {
            let signalled = ContinuousClock.now
            kill(process.processIdentifier, SIGTERM)
            while process.isRunning && ContinuousClock.now - signalled < .seconds(20) {
                try await Task.sleep(for: .milliseconds(100))
            }
            return ContinuousClock.now - signalled
        }

        func cleanUp() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: log)
        }
    }

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
            let socket = try #require(Self.connect(port: served.port))
            idle.append(socket)
        }
        // The first, accepted at once, is closed by the server after a second with no request.
        let closedAfter = try await Self.secondsUntilClosed(idle[0], within: 10)
        #expect(closedAfter.map { $0 >= 0.5 && $0 < 5 } == true, "idle connection closed after \(String(describing: closedAfter)) s")
        let started = ContinuousClock.now
        #expect(await Self.status("http://127.0.0.1:\(served.port)/health") == 200)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try await served.stop() < .seconds(10), "\(served.output)")
    }

    /// A TCP connection to the server on localhost, or nil.
    static func connect(port: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            return nil
        }
        return socket
    }

    /// Seconds until the server closes `socket` (a read finds end of file), or nil; polled, so
    /// that no thread of the test run is blocked meanwhile.
    static func secondsUntilClosed(_ socket: Int32, within seconds: Double) async throws -> Double? {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(seconds) {
            var byte: UInt8 = 0
            let read = recv(socket, &byte, 1, Int32(MSG_DONTWAIT))
            if read == 0 {
                let elapsed = (ContinuousClock.now - started).components
                return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            }
            guard read < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) else { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// The port of "listening on 127.0.0.1:PORT" in serve's log.
    static func listeningPort(_ log: String) -> Int? {
        guard let range = log.range(of: "listening on 127.0.0.1:") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    static func status(_ url: String) async -> Int? {
        guard let url = URL(string: url) else { return nil }
        let response = try? await URLSession.shared.data(from: url).1
        return (response as? HTTPURLResponse)?.statusCode
    }
}
