import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import ZhengsheStore

/// Which database to use: a server named by URL, or the embedded cluster in a data folder.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL; env DATABASE_URL. Without it, an embedded cluster is started.")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Folder of the embedded cluster; env ZHENGSHE_DATA_DIR.")
    var dataDirectory: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The URL to use, if any: the flag, then DATABASE_URL.
    var url: String? { databaseURL ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The embedded cluster's folder: the flag, ZHENGSHE_DATA_DIR, then /var/lib/zhengshe for root
    /// (the cluster's user must reach it) or ~/.local/share/zhengshe for everyone else.
    var clusterDirectory: String {
        let base =
            dataDirectory ?? environment["ZHENGSHE_DATA_DIR"]
            ?? (geteuid() == 0
                ? "/var/lib/zhengshe"
                : (environment["XDG_DATA_HOME"] ?? (NSHomeDirectory() + "/.local/share")) + "/zhengshe")
        return URL(fileURLWithPath: base).standardizedFileURL.path + "/postgres"
    }

    /// Opens the database, starting the embedded cluster when no URL is set: returns how to
    /// connect and the services that must run around the client (the cluster, to stop it last).
    /// `cluster` is set only when this call started the embedded server, so that one-shot commands
    /// never stop a server that a running `serve` uses.
    func open(logger: Logger) async throws -> (configuration: PostgresClient.Configuration, services: [any Service], cluster: EmbeddedPostgres?) {
        if let url {
            return (try DatabaseURL.configuration(from: url), [], nil)
        }
        let cluster = try EmbeddedPostgres(configuration: .init(directory: clusterDirectory), logger: logger)
        let started = try await cluster.start()
        do {
            try await cluster.createDatabase("zhengshe")
        } catch {
            if started { try? await cluster.stop() }
            throw error
        }
        // serve stops the cluster on shutdown either way: it owns the data folder.
        return (cluster.clientConfiguration(database: "zhengshe"), [EmbeddedPostgresService(cluster: cluster)], started ? cluster : nil)
    }

    /// Runs `body` with a running client, for one-shot commands; stops the embedded cluster after,
    /// if this command started it.
    func withClient<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let (configuration, _, cluster) = try await open(logger: logger)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                return try await body(client)
            }
            try await cluster?.stop()
            return result
        } catch {
            try? await cluster?.stop()
            throw error
        }
    }
}

extension Logger {
    static func zhengshe(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "zhengshe")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        return logger
    }
}
