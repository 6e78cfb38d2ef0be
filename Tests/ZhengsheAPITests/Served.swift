import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `zhengshe serve` as a separate process: on its own embedded cluster in a folder of its own, or
/// on a server given by `DATABASE_URL`, answering on a port of its choosing. What the process
/// tests (`ServeProcessTests`, `FaultSuiteTests`) drive from outside, as a user would.
struct Served {
    let process: Process
    /// The data folder (the embedded cluster is in `postgres/` below it).
    let directory: String
    let log: String
    let port: Int
    /// How long it took from launch until `/health` answered 200.
    let startedIn: Duration

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    var base: String { "http://127.0.0.1:\(port)" }

    /// The `zhengshe` built beside the test runner.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhengshe")
    }

    /// A new data folder's path (nothing is created).
    static func newDirectory() -> String { "/tmp/zhengshe-serve-\(UUID().uuidString.prefix(8).lowercased())" }

    /// Starts `serve` and waits until `/health` answers 200 (at most `within`). `directory` may hold
    /// a cluster a killed `serve` left behind: starting again must work the first time.
    static func start(
        _ environment: [String: String] = [:], directory: String = newDirectory(), arguments: [String] = [], within: Duration = .seconds(90)
    ) async throws -> Served {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) was not built")
        let log = directory + "-\(UUID().uuidString.prefix(4).lowercased()).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = binary
        // Port 0: any free port, read back from serve's log.
        process.arguments = ["serve", "--port", "0", "--data-dir", directory] + arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited["DATABASE_URL"] = nil
        process.environment = inherited.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        let launched = ContinuousClock.now
        try process.run()
        let output = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        while ContinuousClock.now - launched < within, process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            guard let port = listeningPort(output()) else { continue }
            if await status("http://127.0.0.1:\(port)/health", timeout: 5) == 200 {
                return Served(process: process, directory: directory, log: log, port: port, startedIn: ContinuousClock.now - launched)
            }
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        Issue.record("serve never answered /health within \(within) (running: \(process.isRunning)):\n\(output())")
        throw CancellationError()
    }

    /// SIGTERM, and how long it took to stop.
    func stop() async throws -> Duration {
        let signalled = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning && ContinuousClock.now - signalled < .seconds(20) {
            try await Task.sleep(for: .milliseconds(50))
        }
        return ContinuousClock.now - signalled
    }

    /// The process of the embedded cluster's postmaster, from its pid file.
    var postmaster: Int32? {
        guard let text = try? String(contentsOfFile: directory + "/postgres/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// `kill -9` of serve and, when it runs its own, of its cluster's postmaster, as a power cut
    /// or the OOM killer would leave them; waits until serve is gone.
    func killHard() async throws {
        let postmaster = self.postmaster
        kill(process.processIdentifier, SIGKILL)
        if let postmaster { kill(postmaster, SIGKILL) }
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Removes the data folder; only for a serve that has stopped or been killed (a stopped
    /// serve stops the cluster it started; the postmaster of a killed one is killed first).
    func cleanUp() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        // (Only if that pid is still this cluster's postmaster, not a process that reused it.)
        if let postmaster, let command = try? String(contentsOfFile: "/proc/\(postmaster)/cmdline", encoding: .utf8),
           command.contains(directory + "/postgres") {
            kill(postmaster, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: log)
    }

    /// A one-shot `zhengshe` command (`token create`, `verify`, …): its exit status and its
    /// output (stdout and stderr together).
    static func command(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        try await Self.run(binary.path, arguments, environment: environment)
    }

    /// Runs a program to its end without blocking a thread of the test run.
    static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], in directory: String? = nil, within: Duration = .seconds(300)
    ) async throws -> (status: Int32, output: String) {
        let log = "/tmp/zhengshe-command-\(UUID().uuidString.prefix(8).lowercased()).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var inherited = ProcessInfo.processInfo.environment
        inherited["DATABASE_URL"] = nil
        process.environment = inherited.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        let started = ContinuousClock.now
        try process.run()
        var killed = false
        while process.isRunning {
            if ContinuousClock.now - started > within, !killed {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                Issue.record("\(path) \(arguments.joined(separator: " ")) still running after \(within): killed")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// A token made with `zhengshe token create`, e.g. `["--role", "government", "--party", "320402001"]`.
    static func token(_ role: [String], database: [String]) async throws -> String {
        let (status, output) = try await command(["token", "create", "--name", "fault suite"] + role + database)
        try #require(status == 0, "token create: \(output)")
        let secret = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.last { $0.hasPrefix("zs_") }
        return try #require(secret, "no token in: \(output)")
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
        guard let range = log.range(of: "listening on 127.0.0.1:", options: .backwards) else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    static func status(_ url: String, timeout: TimeInterval = 60) async -> Int? {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let response = try? await URLSession.shared.data(for: request).1
        return (response as? HTTPURLResponse)?.statusCode
    }
}
