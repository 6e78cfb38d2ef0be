import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite struct EmbeddedPostgresTests {
    /// A cluster of its own, started twice: what it held survives the restart.
    @Test func dataSurvivesARestart() async throws {
        let (cluster, logger) = try Self.cluster()
        let directory = cluster.configuration.directory
        defer { try? FileManager.default.removeItem(atPath: directory) }

        try await cluster.start()
        do {
            try await cluster.createDatabase("kept")
            try await query(cluster, logger, "CREATE TABLE note (text text); INSERT INTO note VALUES ('今年的协议')")
            try await cluster.stop()
            #expect(try await cluster.isRunning() == false)

            try await cluster.start()
            #expect(try await cluster.isRunning())
            try await cluster.createDatabase("kept")  // already there: a no-op
            let text = try await query(cluster, logger, "SELECT text FROM note")
            #expect(text == "今年的协议")
            // Only a Unix socket, owned by the cluster's user: no TCP listener.
            let listen = try await query(cluster, logger, "SELECT current_setting('listen_addresses')")
            #expect(listen == "")
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    /// After a crash the pid file can name a process that is no postmaster (a zombie, or a number
    /// reused): pg_ctl calls the cluster running. Starting must not adopt it: the stale file goes,
    /// the server starts (recovering from its log), and the data is there.
    @Test func aStalePidFileAfterACrashIsRecoveredFromTheFirstTime() async throws {
        let (cluster, logger) = try Self.cluster()
        let directory = cluster.configuration.directory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await cluster.start()
        try await cluster.createDatabase("kept")
        try await query(cluster, logger, "CREATE TABLE note (text text); INSERT INTO note VALUES ('崩溃之前')")
        let pidFile = directory + "/postmaster.pid"
        let kept = try String(contentsOfFile: pidFile, encoding: .utf8)
        try await cluster.stop()

        // A live process of the cluster's user that is not a postmaster, named by the old pid file.
        let impostor = Process()
        let root = geteuid() == 0
        impostor.executableURL = URL(fileURLWithPath: root ? "/usr/bin/setpriv" : "/bin/sleep")
        impostor.arguments = root ? ["--reuid=postgres", "--regid=postgres", "--clear-groups", "/bin/sleep", "60"] : ["60"]
        try impostor.run()
        defer { impostor.terminate() }
        var lines = kept.split(separator: "\n", omittingEmptySubsequences: false)
        lines[0] = Substring(String(impostor.processIdentifier))
        try lines.joined(separator: "\n").write(toFile: pidFile, atomically: false, encoding: .utf8)
        // And the socket's lock file, as the crashed server leaves it.
        let socketLock = cluster.socketPath + ".lock"
        try "\(impostor.processIdentifier)\n\(directory)\n".write(toFile: socketLock, atomically: false, encoding: .utf8)
        if root {
            let user = getpwnam("postgres").pointee
            for file in [pidFile, socketLock] { chown(file, user.pw_uid, user.pw_gid) }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await cluster.isRunning(), "pg_ctl should take the stale file for a running server")

        #expect(try await cluster.start(), "the stale cluster was adopted instead of started")
        do {
            #expect(try await query(cluster, logger, "SELECT text FROM note") == "崩溃之前")
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    /// A throwaway cluster in a folder of its own under /tmp (not started).
    static func cluster() throws -> (EmbeddedPostgres, Logger) {
        var logger = Logger(label: "zhengshe.tests.embedded")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        var configuration = EmbeddedPostgres.Configuration(directory: "/tmp/zhengshe-embedded-\(UUID().uuidString.prefix(8))")
        configuration.durable = false
        return (try EmbeddedPostgres(configuration: configuration, logger: logger), logger)
    }

    @discardableResult
    func query(_ cluster: EmbeddedPostgres, _ logger: Logger, _ sql: String) async throws -> String? {
        let client = PostgresClient(configuration: cluster.clientConfiguration(database: "kept"), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            var last: String?
            for statement in sql.split(separator: ";") {
                let rows = try await client.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                for try await value in rows.decode(String.self) { last = value }
            }
            return last
        }
    }
}
