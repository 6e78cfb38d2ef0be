import Foundation
public import Hummingbird
public import Logging
public import PostgresNIO

/// `GET /health`: whether the service can reach its database, and the schema it found there.
public struct HealthController: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    struct Health: ResponseEncodable {
        struct Database: Codable {
            var status: String
            var latencyMs: Double?
            var serverVersion: String?
            var schemaVersion: Int?
            var error: String?
        }
        var status: String
        var database: Database
    }

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("health") { _, _ in try await check() }
    }

    func check() async throws -> EditedResponse<Health> {
        let started = ContinuousClock.now
        do {
            let rows = try await client.query(
                """
                SELECT current_setting('server_version'), (SELECT max(version) FROM schema_migrations)
                """,
                logger: logger
            )
            var database = Health.Database(status: "up")
            for try await (server, schema) in rows.decode((String, Int?).self) {
                database.serverVersion = server
                database.schemaVersion = schema
            }
            let elapsed = ContinuousClock.now - started
            database.latencyMs = Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000
            return EditedResponse(status: .ok, response: Health(status: "ok", database: database))
        } catch {
            logger.warning("health check: database unreachable", metadata: ["error": "\(String(reflecting: error))"])
            return EditedResponse(
                status: .serviceUnavailable,
                response: Health(status: "unavailable", database: .init(status: "down", error: "\(error)"))
            )
        }
    }
}
