import EmbeddedPostgres
import Foundation
import Logging
public import PostgresNIO
public import Testing
public import ZhengsheStore

/// A fresh, migrated database for one suite, on the tests' PostgreSQL server.
///
/// Put `.database` on a suite; its tests reach the database through `TestDatabase.current`.
/// Suites get databases of their own, so they run in parallel without seeing each other's rows.
public struct TestDatabase: Sendable {
    @TaskLocal static var scoped: TestDatabase?

    /// The database of the running suite (or test) that has the `.database` trait.
    public static var current: TestDatabase {
        get throws {
            guard let scoped else { throw MissingTrait() }
            return scoped
        }
    }

    struct MissingTrait: Error, CustomStringConvertible {
        var description: String { "this test needs a database: put .database on its suite" }
    }

    public let name: String
    public let client: PostgresClient
    public let logger: Logger
    /// A configuration for this database, for tests that need clients (or connections) of their own.
    public let configuration: PostgresClient.Configuration
    /// The `postgresql://` URL of this database, for command-line tools; nil on an external server.
    public let url: String?

    /// The event store on this database.
    public var store: PostgresEventStore { PostgresEventStore(client: client, logger: logger) }

    /// Creates a database (migrated unless `migrated` is false), runs `body`, then drops it.
    public static func with<T: Sendable>(migrated: Bool = true, _ body: @Sendable (TestDatabase) async throws -> T) async throws -> T {
        let server = try await TestCluster.shared.server()
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let logger = Logger.tests
        _ = try await TestCluster.withMaintenanceClient(server) { client in
            let template = migrated ? " TEMPLATE \(server.template)" : ""
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)\(template)"), logger: logger)
        }
        var configuration = server.configuration(name)
        configuration.options.maximumConnections = 64
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let database = TestDatabase(
            name: name, client: client, logger: logger, configuration: configuration,
            url: server.cluster?.url(database: name)
        )
        let result: Result<T, any Error>
        do { result = .success(try await client.withRunning { _ in try await body(database) }) } catch { result = .failure(error) }
        _ = try await TestCluster.withMaintenanceClient(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        return try result.get()
    }
}

/// Gives a suite (or a test) a database of its own: see ``TestDatabase``.
public struct DatabaseTrait: SuiteTrait, TestTrait, TestScoping {
    let migrated: Bool

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await TestDatabase.with(migrated: migrated) { database in
            try await TestDatabase.$scoped.withValue(database) { try await function() }
        }
    }
}

extension Trait where Self == DatabaseTrait {
    /// A fresh database with the current schema.
    public static var database: Self { DatabaseTrait(migrated: true) }
    /// A fresh, empty database: no migrations applied.
    public static var emptyDatabase: Self { DatabaseTrait(migrated: false) }
}

extension Logger {
    /// Quiet unless something goes wrong; `LOG_LEVEL=debug swift test` for more.
    static var tests: Logger {
        var logger = Logger(label: "zhengshe.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}

