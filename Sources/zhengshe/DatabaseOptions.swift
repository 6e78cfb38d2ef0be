import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ZhengsheServer

/// Which database to use: a server named by URL, or the embedded cluster in a data folder. The
/// flags go into the settings reader ahead of the environment (``ServiceSettings``).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL; env DATABASE_URL. Without it, an embedded cluster is started.")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Folder of the embedded cluster; env ZHENGSHE_DATA_DIR.")
    var dataDirectory: String?

    var flags: [String: String?] { ["DATABASE_URL": databaseURL, "ZHENGSHE_DATA_DIR": dataDirectory] }

    /// The settings from these flags, `more` flags, then the environment.
    func settings(_ more: [String: String?] = [:], defaultLogLevel: Logger.Level = .info) throws -> ServiceSettings {
        do {
            return try ServiceSettings(reader: ServiceSettings.reader(flags: flags.merging(more) { $1 }), defaultLogLevel: defaultLogLevel)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }

    /// Runs `body` with a running client, for one-shot commands; stops the embedded cluster after,
    /// if this command started it.
    func withClient<T: Sendable>(logLevel: Logger.Level = .warning, _ body: @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        let settings = try settings(defaultLogLevel: logLevel)
        let logger = settings.logger()
        let database = try await Database.open(settings, logger: logger)
        return try await database.withClient(logger: logger) { client in try await body(client, logger) }
    }
}
