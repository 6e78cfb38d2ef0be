import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ZhengsheAPI

/// `zhengshe serve`: the HTTP service. Migrates the database first.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API (starting the embedded database unless DATABASE_URL is set).")

    @Option(help: "Address to listen on; env HOST.") var host: String?
    @Option(help: "Port to listen on; env PORT.") var port: Int?
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logger.zhengshe()
        let settings = ServerSettings(
            host: host ?? environment["HOST"] ?? "127.0.0.1",
            port: try port ?? environment["PORT"].map {
                guard let port = Int($0) else { throw ValidationError("PORT must be a number, not '\($0)'") }
                return port
            } ?? 8080
        )
        let (configuration, services, _) = try await database.open(logger: logger)
        let app = try await buildApplication(settings: settings, database: configuration, services: services, logger: logger)
        try await app.runService()
    }
}
