import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import ZhengsheAPI
import ZhengsheServer
import ZhengsheTestSupport

@Suite(.database, .timeLimit(.minutes(2))) struct HealthTests {
    @Test func healthReportsTheDatabaseAndItsSchema() async throws {
        let database = try TestDatabase.current
        let app = try await buildApplication(database: database.configuration, logger: database.logger)
        try await app.test(.router) { client in
            let response = try await client.call(.get, "/health", token: nil)
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "ok")
            let db = response.json["database"] as? [String: Any]
            #expect(db?["status"] as? String == "up")
            #expect((db?["schemaVersion"] as? Int ?? 0) >= 1)
            #expect((db?["serverVersion"] as? String)?.isEmpty == false)
            #expect(response.headers[.init("X-Request-Id")!] != nil)
        }
    }

    @Test func anUnknownPathIsAProblem() async throws {
        let database = try TestDatabase.current
        let app = try await buildApplication(database: database.configuration, logger: database.logger)
        try await app.test(.router) { client in
            let response = try await client.call(.get, "/no/such/thing", token: nil)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.rule == "known-route")
            #expect(response.headers[.init("X-Request-Id")!] != nil, "problems carry the request id too")
        }
    }
}
