public import Logging
public import PostgresNIO
import Foundation

/// A private PostgreSQL cluster in a folder of its own: initialised on first start, reachable only
/// through a Unix socket inside that folder (no TCP port), stopped on shutdown.
///
/// PostgreSQL refuses to run as root, so when this process is root the cluster runs as an
/// unprivileged system user (`postgres` by default) and its folder belongs to that user.
public struct EmbeddedPostgres: Sendable {
    public struct Configuration: Sendable {
        /// The cluster's data folder. Created if missing; initialised if empty.
        public var directory: String
        /// Names the socket file (`.s.PGSQL.<port>`); no TCP port is opened.
        public var port: Int = 5432
        /// The database superuser that `initdb` creates.
        public var superuser = "zhengshe"
        /// fsync and full page writes: on for real data, off for throwaway test clusters.
        public var durable = true
        /// Where `initdb` and `pg_ctl` are; found on PATH or in /usr/lib/postgresql when nil.
        public var binDirectory: String?
        /// The system user that runs the cluster when this process is root.
        public var systemUser = "postgres"
        /// Extra server settings, passed as `-c name=value`.
        public var settings: [String: String] = [:]

        public init(directory: String) { self.directory = directory }
    }

    public let configuration: Configuration
    public let logger: Logger
    let tools: Tools

    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.tools = try Tools.locate(binDirectory: configuration.binDirectory, systemUser: configuration.systemUser)
    }

    /// The folder of the PostgreSQL programs in use (initdb, pg_ctl, and pgbench beside them).
    public var binDirectory: String { (tools.pgCtl as NSString).deletingLastPathComponent }
    public var pgCtlPath: String { tools.pgCtl }

    /// The folder that holds the socket: the data folder itself, unless its path is too long for a
    /// socket address (107 bytes), then a short folder under /tmp named after it.
    public var socketDirectory: String {
        let socketName = "/.s.PGSQL.\(configuration.port)"
        if configuration.directory.utf8.count + socketName.utf8.count < 100 { return configuration.directory }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in configuration.directory.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "/tmp/zhengshe-\(String(hash, radix: 36))"
    }

    public var socketPath: String { "\(socketDirectory)/.s.PGSQL.\(configuration.port)" }

    /// A client configuration for `database` on this cluster.
    public func clientConfiguration(database: String) -> PostgresClient.Configuration {
        PostgresClient.Configuration(unixSocketPath: socketPath, username: configuration.superuser, password: nil, database: database)
    }

    /// A `postgresql://` URL for tools such as psql and pgbench.
    public func url(database: String) -> String {
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketDirectory
        return "postgresql://\(configuration.superuser)@\(host):\(configuration.port)/\(database)"
    }

    /// Initialises the cluster if its folder is new, then starts it (or adopts it, if another
    /// process already runs it) and waits until it accepts connections.
    /// - Returns: true when this call started the server, false when it was already running; a
    ///   one-shot command should stop only a server it started.
    @discardableResult
    public func start() async throws -> Bool {
        try prepareDirectories()
        if !FileManager.default.fileExists(atPath: configuration.directory + "/PG_VERSION") {
            logger.info("initialising a new PostgreSQL cluster", metadata: ["directory": "\(configuration.directory)"])
            var arguments = [
                "-D", configuration.directory, "-U", configuration.superuser, "--auth=trust",
                "--encoding=UTF8", "--locale=C",
            ]
            if !configuration.durable { arguments.append("--no-sync") }
            try await tools.run(tools.initdb, arguments, asClusterUser: true)
        }
        if try await isRunning() {
            if let pid = postmasterPID(), !Self.isLivePostgres(pid) {
                // A crash (kill -9 of us and of the server) can leave the pid file naming a process
                // that is gone but not reaped (a zombie, where nothing reaps them) or a number
                // since given to another program: pg_ctl calls the cluster running, and nothing
                // answers on its socket. Nothing runs it: the file goes, and starting the server
                // replays its write-ahead log (crash recovery) as after any crash.
                logger.notice(
                    "PostgreSQL's pid file names process \(pid), which is not a running postmaster (left by a crash): removing it and starting the cluster, which recovers from its log",
                    metadata: ["directory": "\(configuration.directory)"])
                try FileManager.default.removeItem(atPath: configuration.directory + "/postmaster.pid")
                // The socket's lock file names the same process, and would stop the new server.
                for leftover in [socketPath + ".lock", socketPath] where FileManager.default.fileExists(atPath: leftover) {
                    try FileManager.default.removeItem(atPath: leftover)
                }
            } else {
                logger.info("PostgreSQL cluster already running; using it", metadata: ["directory": "\(configuration.directory)"])
                return false
            }
        }
        var settings: [String: String] = [
            "listen_addresses": "''",
            "unix_socket_directories": "'\(socketDirectory)'",
            "unix_socket_permissions": "0700",
            "port": String(configuration.port),
            "timezone": "'Asia/Shanghai'",
        ]
        if !configuration.durable {
            settings["fsync"] = "off"
            settings["synchronous_commit"] = "off"
            settings["full_page_writes"] = "off"
        }
        settings.merge(configuration.settings) { _, custom in custom }
        let options = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        logger.info("starting PostgreSQL", metadata: ["socket": "\(socketPath)"])
        try await tools.run(
            tools.pgCtl,
            ["-D", configuration.directory, "-l", configuration.directory + "/server.log", "-w", "-t", "120", "-o", options, "start"],
            asClusterUser: true
        )
        return true
    }

    /// Stops the cluster (fast shutdown: open sessions are ended, committed work is kept).
    public func stop() async throws {
        guard try await isRunning() else { return }
        logger.info("stopping PostgreSQL", metadata: ["directory": "\(configuration.directory)"])
        try await tools.run(tools.pgCtl, ["-D", configuration.directory, "-m", "fast", "-w", "-t", "120", "stop"], asClusterUser: true)
    }

    public func isRunning() async throws -> Bool {
        let status = try await tools.run(tools.pgCtl, ["-D", configuration.directory, "status"], asClusterUser: true, check: false)
        return status.exitCode == 0
    }

    /// The process the cluster's pid file names, if there is one.
    func postmasterPID() -> Int32? {
        guard let text = try? String(contentsOfFile: configuration.directory + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether `pid` is a running (not zombie) PostgreSQL server process, as `/proc` tells; true
    /// where there is no `/proc` to ask (pg_ctl's word stands then).
    static func isLivePostgres(_ pid: Int32) -> Bool {
        guard FileManager.default.fileExists(atPath: "/proc/self/stat") else { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return false }
        let name = stat[stat.index(after: open)..<close]
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return (name == "postgres" || name == "postmaster") && state != "Z" && state != "X"
    }

    /// Creates `name` unless it exists (connecting to the `postgres` maintenance database).
    public func createDatabase(_ name: String, template: String? = nil) async throws {
        let client = PostgresClient(configuration: clientConfiguration(database: "postgres"), backgroundLogger: logger)
        try await client.withRunning { client in
            let rows = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            for try await _ in rows { return }
            let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let from = template.map { " TEMPLATE \"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)\(from)"), logger: logger)
        }
    }

    private func prepareDirectories() throws {
        let fm = FileManager.default
        for directory in Set([configuration.directory, socketDirectory]) {
            // Parents stay open to traverse (the cluster's user must reach the folder); the folder
            // itself is private, as PostgreSQL requires.
            let parent = (directory as NSString).deletingLastPathComponent
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if !fm.fileExists(atPath: directory) {
                try fm.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            }
            try tools.giveToClusterUser(directory)
        }
    }
}
