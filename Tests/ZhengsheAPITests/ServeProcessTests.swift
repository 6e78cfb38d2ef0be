import Foundation
import Testing
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

    @Test func serveStartsItsClusterAnswersAndStopsOnSIGTERM() async throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) was not built")
        let directory = "/tmp/zhengshe-serve-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + ".log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }

        let process = Process()
        process.executableURL = binary
        // Port 0: any free port, read back from serve's log.
        process.arguments = ["serve", "--port", "0", "--data-dir", directory]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = nil
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        let output = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        var healthy = false
        for _ in 0..<120 where !healthy {
            try await Task.sleep(for: .milliseconds(500))
            guard let port = Self.listeningPort(output()) else { continue }
            healthy = await Self.status("http://127.0.0.1:\(port)/health") == 200
        }
        try #require(healthy, "serve never answered /health:\n\(output())")

        let signalled = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning && ContinuousClock.now - signalled < .seconds(20) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!process.isRunning, "serve still running 20 s after SIGTERM:\n\(output())")
        #expect(ContinuousClock.now - signalled < .seconds(10))
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output())")
        // serve stops the cluster it started: no postmaster is left behind.
        #expect(!FileManager.default.fileExists(atPath: directory + "/postgres/postmaster.pid"), "the cluster was left running")
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
