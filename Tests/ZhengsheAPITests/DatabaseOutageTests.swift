import EmbeddedPostgres
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import ZhengsheServer
import ZhengsheStore
import ZhengsheTestSupport

/// The database going away under the service: every request gets an answer that says so (`503`
/// with `Retry-After`, never `500`), nothing waits on a database known to be down, `/health` says
/// it at once, and a filing retried with its idempotency key is recorded once.
///
/// Each test has a PostgreSQL cluster of its own: the shared one's global reads would wait on a
/// transaction held open here, and stopping it would stop every suite.
///
/// Part of the fault suite, in process (`FaultSuiteTests` drives the binary from outside). Beside
/// the whole test run these once left other suites hanging: a query written to a connection that
/// PostgreSQL had closed never completed (PostgresNIO drops the write); `checkedQuery` fails such a
/// query at once, and they now run with the rest.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DatabaseOutageTests {
    static var guidance: [String: Any] { ["guidanceId": "gd-outage", "kind": "visit", "summary": "上门指导"] }

    /// A throwaway cluster (fsync off) with a database `database`, stopped and removed afterwards:
    /// one a test may stop and start as it likes.
    static func withCluster(database: String = "outage", _ body: (EmbeddedPostgres, Logger) async throws -> Void) async throws {
        var logger = Logger(label: "zhengshe.tests.\(database)")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let directory = "/tmp/zhengshe-\(database)-\(UUID().uuidString.prefix(8).lowercased())"
        var configuration = EmbeddedPostgres.Configuration(directory: directory)
        configuration.durable = false
        let cluster = try EmbeddedPostgres(configuration: configuration, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await cluster.start()
        do {
            try await cluster.createDatabase(database)
            try await body(cluster, logger)
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    /// PostgreSQL terminates the connection a filing is using (as on a restart: 57P01).
    @Test func aFilingWhoseConnectionIsTerminatedAnswers503AndItsRetryIsRecordedOnce() async throws {
        try await Self.withCluster { cluster, logger in
            let configuration = cluster.clientConfiguration(database: "outage")
            let app = try await buildApplication(database: configuration, migrate: true, clock: { endOfYear }, logger: logger)
            let maintenance = PostgresClient(configuration: configuration, backgroundLogger: logger)
            try await maintenance.withRunning { db in
                try await app.test(.router) { client in
                    // The schema is applied before the server starts; tokens after.
                    try await Task.sleep(for: .milliseconds(200))
                    let tokens = TokenStore(client: db, logger: logger)
                    func token(_ role: String, _ party: String) async throws -> String {
                        try await tokens.create(name: "\(role) \(party)", role: role, party: party, year: nil).secret
                    }
                    let p = Parties(government: try await token("government", "320412001"), committee: try await token("committee", "320412001001"),
                                    district: try await token("district", "320412"), admin: try await token("admin", ""))
                    try await Script.bringIntoEffect(client, p)
                    // Hold the streams table so that the filing waits inside its append, then end its
                    // connection as a restarting server would.
                    let answer = try await db.withConnection { connection in
                        try await connection.query("BEGIN", logger: logger)
                        try await connection.query("LOCK TABLE streams IN ACCESS EXCLUSIVE MODE", logger: logger)
                        let terminator = Task {
                            for _ in 0..<1500 {
                                let rows = try await db.query(
                                    """
                                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                     WHERE datname = current_database() AND wait_event_type = 'Lock' AND (query ILIKE '%append_events%' OR query ILIKE '%append_batch%')
                                    """, logger: logger)
                                for try await terminated in rows.decode(Bool.self) where terminated { return true }
                                try await Task.sleep(for: .milliseconds(20))
                            }
                            return false
                        }
                        let answer = try await client.file("GuidanceGiven", Self.guidance, token: p.government, key: "outage-1")
                        #expect(try await terminator.value, "the filing's backend was found waiting and terminated")
                        try await connection.query("COMMIT", logger: logger)
                        return (answer.status, answer.rule, answer.headers[.retryAfter])
                    }
                    #expect(answer.0 == .serviceUnavailable && answer.1 == "database-available" && answer.2 != nil, "\(answer)")
                    // Retried with its key until the service has its database back: recorded, once.
                    var retried = try await client.file("GuidanceGiven", Self.guidance, token: p.government, key: "outage-1")
                    let deadline = ContinuousClock.now + .seconds(30)
                    while retried.status != .created, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(200))
                        retried = try await client.file("GuidanceGiven", Self.guidance, token: p.government, key: "outage-1")
                    }
                    #expect(retried.status == .created, "\(retried.json)")
                    let history = try await client.call(.get, "/v1/agreements/\(Parties.agreement)/events?limit=500", token: p.admin)
                    let given = (history.json["events"] as? [[String: Any]] ?? []).filter { ($0["data"] as? [String: Any])?["guidanceId"] as? String == "gd-outage" }
                    #expect(given.count == 1)
                }
            }
        }
    }

    /// PostgreSQL stopped for a while, then started again.
    @Test func whileTheDatabaseIsDownEveryRequestIs503AtOnceAndHealthSaysSo() async throws {
        try await Self.withCluster { cluster, logger in
            let app = try await buildApplication(database: cluster.clientConfiguration(database: "outage"), migrate: true, logger: logger)
            try await app.test(.router) { client in
                func health() async throws -> (HTTPResponse.Status, [String: Any]) {
                    try await client.execute(uri: "/health", method: .get) { response in
                        (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:])
                    }
                }
                var (status, _) = try await health()
                for _ in 0..<50 where status != .ok {
                    try await Task.sleep(for: .milliseconds(100))
                    (status, _) = try await health()
                }
                #expect(status == .ok)
                // (The contract's validator is loaded before anything is timed.)
                _ = try await client.call(.get, "/v1/agreements/320412001001-2026", token: "zs_unknown")

                try await cluster.stop()
                // Within a few seconds the service knows, and says so on /health at once.
                let stopped = ContinuousClock.now
                var body: [String: Any] = [:]
                repeat {
                    try await Task.sleep(for: .milliseconds(200))
                    (status, body) = try await health()
                } while status == .ok && ContinuousClock.now - stopped < .seconds(15)
                #expect(status == .serviceUnavailable && (body["database"] as? [String: Any])?["status"] as? String == "down", "\(body)")
                // Then every request is answered 503 at once, whatever it is.
                for uri in ["/v1/agreements/320412001001-2026", "/v1/reports/two-way?district=320412&year=2026"] {
                    let asked = ContinuousClock.now
                    let answer = try await client.call(.get, uri, token: "zs_not_checked_while_down")
                    #expect(answer.status == .serviceUnavailable && answer.rule == "database-available" && answer.headers[.retryAfter] != nil, "\(uri): \(answer.json)")
                    #expect(ContinuousClock.now - asked < .seconds(1), "answered in \(ContinuousClock.now - asked)")
                }

                try await cluster.start()
                // Back within seconds of the database.
                let restarted = ContinuousClock.now
                repeat {
                    try await Task.sleep(for: .milliseconds(200))
                    (status, body) = try await health()
                } while status != .ok && ContinuousClock.now - restarted < .seconds(60)
                #expect(status == .ok, "\(body)")
            }
        }
    }
}
