import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite struct EmbeddedPostgresTests {
    /// A cluster of its own, started twice: what it held survives the restart.
    @Test func dataSurvivesARestart() async throws {
        var logger = Logger(label: "zhengshe.tests.embedded")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let directory = "/tmp/zhengshe-embedded-\(UUID().uuidString.prefix(8))"
        var configuration = EmbeddedPostgres.Configuration(directory: directory)
        configuration.durable = false
        let cluster = try EmbeddedPostgres(configuration: configuration, logger: logger)
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
