import ArgumentParser
import EmbeddedPostgres
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals
import ZhengsheServer
import ZhengsheDemo
import ZhengsheStore

/// `zhengshe serve`: the HTTP service. Migrates the database first.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API (starting the embedded database unless DATABASE_URL is set).")

    @Option(help: "Address to listen on; env HTTP_HOST.") var host: String?
    @Option(help: "Port to listen on; env HTTP_PORT.") var port: String?
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Seed a synthetic city-year first, unless the database already holds agreements.") var demo = false
    @Flag(inversion: .prefixedNo, help: "Run the read side's projections here too (across processes one runs each; --no-projections leaves them to others).")
    var projections = true
    @OptionGroup(title: "Demo city (with --demo)") var city: CityOptions

    func run() async throws {
        let settings = try database.settings(["HTTP_HOST": host, "HTTP_PORT": port])
        let logger = settings.logger()
        let database = try await Database.open(settings, logger: logger)
        let app: any ApplicationProtocol
        do {
            if demo { try await seedDemo(database.configuration, logger: logger) }
            app = try await buildApplication(
                http: settings.http, connections: settings.connections, database: database.configuration, services: database.services, projections: projections, logger: logger)
        } catch {
            await database.stopIfStarted()
            throw error
        }
        // SIGTERM (or SIGINT) shuts down gracefully: in-flight requests finish, the database
        // client and the embedded cluster stop. Whatever does not stop within 10 s (a query left
        // hanging by a database restart holds its connection, and a graceful pool waits for it)
        // is cancelled; the shipped unit allows 30 s in all.
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(10)
        try await ServiceGroup(configuration: configuration).run()
    }
}

extension Serve {
    /// Seeds the demo city on an empty database, before the server starts.
    func seedDemo(_ configuration: PostgresClient.Configuration, logger: Logger) async throws {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let plan = city.plan
        try await client.withRunning { client in
            try await Migrator(client: client, logger: logger).migrate()
            let rows = try await client.checkedQuery("SELECT count(*) FROM streams WHERE category = 'agreement'", logger: logger)
            var existing = 0
            for try await count in rows.decode(Int.self) { existing = count }
            guard existing == 0 else {
                logger.info("demo: the database already holds agreements; not seeding", metadata: ["agreements": "\(existing)"])
                return
            }
            logger.info("demo: seeding a city", metadata: ["committees": "\(plan.committeeCount)", "year": "\(plan.year)"])
            let summary = try await CityGenerator(plan: plan, store: PostgresEventStore(client: client, logger: logger), logger: logger).run()
            logger.info("\(summary.report(plan))")
        }
    }
}
