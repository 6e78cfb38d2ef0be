import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The PostgreSQL programs, and how to run them as the cluster's user.
struct Tools: Sendable {
    var initdb: String
    var pgCtl: String
    /// When this process is root: the unprivileged user that runs the cluster, and `runuser`.
    var clusterUser: (name: String, uid: UInt32, gid: UInt32, runuser: String)?

    static func locate(binDirectory: String?, systemUser: String) throws -> Tools {
        let fm = FileManager.default
        var candidates: [String] = []
        if let binDirectory { candidates.append(binDirectory) }
        if let path = ProcessInfo.processInfo.environment["PATH"] { candidates += path.split(separator: ":").map(String.init) }
        // Debian and Ubuntu keep the server's programs out of PATH, one folder per major version.
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]
        guard let bin = candidates.first(where: { fm.isExecutableFile(atPath: $0 + "/initdb") && fm.isExecutableFile(atPath: $0 + "/pg_ctl") }) else {
            throw EmbeddedPostgresError.serverNotInstalled
        }
        var tools = Tools(initdb: bin + "/initdb", pgCtl: bin + "/pg_ctl", clusterUser: nil)
        if geteuid() == 0 {
            guard let entry = getpwnam(systemUser) else { throw EmbeddedPostgresError.noClusterUser(systemUser) }
            let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"].first { fm.isExecutableFile(atPath: $0) }
            guard let runuser else { throw EmbeddedPostgresError.noRunuser }
            tools.clusterUser = (systemUser, entry.pointee.pw_uid, entry.pointee.pw_gid, runuser)
        }
        return tools
    }

    /// Hands `path` to the cluster's user, when this process is root.
    func giveToClusterUser(_ path: String) throws {
        guard let user = clusterUser else { return }
        guard chown(path, user.uid, user.gid) == 0 else {
            throw EmbeddedPostgresError.commandFailed(command: "chown \(user.name) \(path)", status: errno, output: String(cString: strerror(errno)))
        }
    }

    static let closeInheritedDescriptors = """
        for fd in $(ls /proc/$$/fd 2>/dev/null); do case "$fd" in 0|1|2) ;; *) eval "exec $fd>&-" ;; esac; done
        exec "$@"
        """

    struct Outcome { var exitCode: Int32; var output: String }

    /// Runs a program, as the cluster's user when this process is root.
    @discardableResult
    func run(_ program: String, _ arguments: [String], asClusterUser: Bool, check: Bool = true) async throws -> Outcome {
        var command = [program] + arguments
        if asClusterUser, let user = clusterUser { command = [user.runuser, "-u", user.name, "--"] + command }
        // Foundation's Process on Linux learns that a child ended when a socket it passes down is
        // closed, and `pg_ctl start` leaves a server running that would inherit it and keep it
        // open for ever. So bash (dash takes one-digit descriptors only) closes every inherited
        // descriptor above 2 before the exec.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", Self.closeInheritedDescriptors, "sh"] + command
        // A working directory the cluster's user can enter, whatever ours is.
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        // A file, not a pipe: the server that `pg_ctl start` leaves running could keep a pipe
        // open, and reading it to its end would then never finish.
        let outputPath = NSTemporaryDirectory() + "zhengshe-\(UUID().uuidString).out"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              let output = FileHandle(forWritingAtPath: outputPath)
        else { throw EmbeddedPostgresError.commandFailed(command: program, status: -1, output: "cannot create \(outputPath)") }
        defer {
            try? output.close()
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        if check && exitCode != 0 {
            let command = ([program] + arguments).joined(separator: " ")
            throw EmbeddedPostgresError.commandFailed(command: command, status: exitCode, output: text)
        }
        return Outcome(exitCode: exitCode, output: text)
    }
}

public enum EmbeddedPostgresError: Error, CustomStringConvertible {
    case serverNotInstalled
    case noClusterUser(String)
    case noRunuser
    case commandFailed(command: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .serverNotInstalled:
            "PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql), or set DATABASE_URL to use a server you already run"
        case .noClusterUser(let name):
            "running as root, but there is no system user '\(name)' to run PostgreSQL as (it refuses root): install PostgreSQL's server package, which creates it"
        case .noRunuser:
            "running as root, but runuser (util-linux) was not found to start PostgreSQL as an unprivileged user"
        case .commandFailed(let command, let status, let output):
            "\(command) exited with status \(status):\n\(output)"
        }
    }
}
