import Foundation
import Logging
import Subprocess
import SystemPackage

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

    struct Outcome { var exitCode: Int32; var output: String }

    /// Runs a program to its end, as the cluster's user when this process is root.
    ///
    /// swift-subprocess gives the child only descriptors 0–2 (everything else is closed on exec),
    /// so the server that `pg_ctl start` leaves running inherits nothing of ours, and it returns
    /// when the program exits even if that server lives on. The output goes to a file, never a
    /// pipe, so a daemon that keeps it open cannot block anyone.
    ///
    /// The user is switched by `runuser`, not by swift-subprocess's own `userID`: that takes its
    /// fork path, and a fork in a busy multi-threaded process (the test runner, serve) was seen to
    /// hang in the child before it could exec. Without it, swift-subprocess spawns with posix_spawn.
    @discardableResult
    func run(_ program: String, _ arguments: [String], asClusterUser: Bool, check: Bool = true) async throws -> Outcome {
        var command = [program] + arguments
        if asClusterUser, let user = clusterUser { command = [user.runuser, "-u", user.name, "--"] + command }
        let outputPath = NSTemporaryDirectory() + "zhengshe-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileDescriptor.open(FilePath(outputPath), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let result = try await Subprocess.run(
            .path(FilePath(command[0])), arguments: Arguments(Array(command.dropFirst())),
            // A working directory the cluster's user can enter, whatever ours is.
            workingDirectory: FilePath("/"),
            output: .fileDescriptor(output, closeAfterSpawningProcess: true), error: .combinedWithOutput)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
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
