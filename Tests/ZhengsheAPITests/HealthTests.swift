import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import ZhengsheAPI
import ZhengsheTestSupport

@Suite(.database, .timeLimit(.minutes(2))) struct HealthTests {
    @Test func healthReportsTheDatabaseAndItsSchema() async throws {
        let database = try TestDatabase.current
        let app = try await buildApplication(settings: .init(), database: database.configuration, logger: database.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(body?["status"] as? String == "ok")
                let db = body?["database"] as? [String: Any]
                #expect(db?["status"] as? String == "up")
                #expect((db?["schemaVersion"] as? Int ?? 0) >= 1)
                #expect((db?["serverVersion"] as? String)?.isEmpty == false)
                #expect(response.headers[.init("X-Request-Id")!] != nil)
            }
        }
    }

    @Test func anUnknownPathIsAProblem() async throws {
        let database = try TestDatabase.current
        let app = try await buildApplication(settings: .init(), database: database.configuration, logger: database.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/no/such/thing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }
}
