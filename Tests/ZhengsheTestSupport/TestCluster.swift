import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import Synchronization
import ZhengsheStore

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server the tests use: the one at `ZHENGSHE_TEST_DATABASE_URL` if set (the role
/// must be allowed to create databases), otherwise a throwaway cluster that this test process
/// starts in a temporary folder on first use and removes when it exits.
actor TestCluster {
    static let shared = TestCluster()

    private var started: Task<Server, any Error>?

    struct Server: Sendable {
        /// A configuration for one database on the server.
        let configuration: @Sendable (String) -> PostgresClient.Configuration
        let template: String
        let cluster: EmbeddedPostgres?
    }

    func server() async throws -> Server {
        if let started { return try await started.value }
        let task = Task { try await Self.start() }
        started = task
        return try await task.value
    }

    private static func start() async throws -> Server {
        let logger = Logger.tests
        let server: Server
        if let url = ProcessInfo.processInfo.environment["ZHENGSHE_TEST_DATABASE_URL"], !url.isEmpty {
            let base = try DatabaseURL.configuration(from: url)
            server = Server(
                configuration: { name in var c = base; c.database = name; return c },
                template: "zhengshe_test_template_\(getpid())",
                cluster: nil
            )
        } else {
            let directory = "/tmp/zhengshe-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            var configuration = EmbeddedPostgres.Configuration(directory: directory)
            configuration.durable = false
            configuration.settings["max_connections"] = "300"
            let cluster = try EmbeddedPostgres(configuration: configuration, logger: logger)
            removeAtExit(cluster: cluster)
            try await cluster.start()
            server = Server(configuration: { cluster.clientConfiguration(database: $0) }, template: "zhengshe_template", cluster: cluster)
        }
        try await prepareTemplate(server, logger: logger)
        return server
    }

    /// A migrated database that suites copy, so each suite starts from the current schema quickly.
    private static func prepareTemplate(_ server: Server, logger: Logger) async throws {
        _ = try await withMaintenanceClient(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(server.template) WITH (FORCE)"), logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(server.template)"), logger: logger)
        }
        let client = PostgresClient(configuration: server.configuration(server.template), backgroundLogger: logger)
        try await client.withRunning { client in try await Migrator(client: client, logger: logger).migrate() }
    }

    static func withMaintenanceClient<T: Sendable>(_ server: Server, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let logger = Logger.tests
        let client = PostgresClient(configuration: server.configuration("postgres"), backgroundLogger: logger)
        return try await client.withRunning(body)
    }
}

/// What to remove when the test process exits: the cluster's folder and how to stop it.
private let cleanupCommand = Mutex<String?>(nil)

private func removeAtExit(cluster: EmbeddedPostgres) {
    let directory = cluster.configuration.directory
    let asUser = geteuid() == 0 ? "runuser -u \(cluster.configuration.systemUser) -- " : ""
    let pgCtl = cluster.pgCtlPath
    cleanupCommand.withLock {
        $0 = "\(asUser)\(pgCtl) -D '\(directory)' -m immediate -w stop >/dev/null 2>&1; rm -rf '\(directory)' '\(cluster.socketDirectory)'"
    }
    atexit {
        if let command = cleanupCommand.withLock({ $0 }) { _ = system(command) }
    }
}

