import Crypto
public import Logging
public import PostgresNIO
import Foundation

/// One numbered SQL file of `Schema/`.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with: `0001_event_store.sql` is 1.
    public var version: Int
    public var name: String
    public var sql: String
    /// SHA-256 of the file's text, hex.
    public var checksum: String

    public init(name: String, sql: String) throws(MigrationError) {
        guard let version = Int(name.prefix { $0.isNumber }), version > 0 else {
            throw .badFileName(name)
        }
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Array(SHA256.hash(data: Data(sql.utf8))).hexString
    }

    /// The migrations this build carries, from `Schema/*.sql`, in order.
    public static func bundled() throws(MigrationError) -> [Migration] {
        var migrations: [Migration] = []
        for file in EmbeddedSchema.files { migrations.append(try Migration(name: file.name, sql: file.text)) }
        return try ordered(migrations)
    }

    static func ordered(_ migrations: [Migration]) throws(MigrationError) -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw .duplicateVersion(a.name, b.name)
        }
        return sorted
    }
}

public enum MigrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(String, String)
    /// A file was edited after the database applied it.
    case changedAfterApplied(name: String, recorded: String, current: String)
    /// The database has a migration this build does not know: it was migrated by a newer build.
    case unknownApplied(version: Int, name: String)

    public var description: String {
        switch self {
        case .badFileName(let name):
            "Schema/\(name): a migration's name must start with its number, e.g. 0002_agreements.sql"
        case .duplicateVersion(let a, let b):
            "Schema/\(a) and Schema/\(b) have the same number"
        case .changedAfterApplied(let name, let recorded, let current):
            """
            Schema/\(name) was changed after this database applied it (applied checksum \(recorded.prefix(12))…, \
            file now \(current.prefix(12))…). Applied migrations are history: restore the file and put the change \
            in a new numbered migration.
            """
        case .unknownApplied(let version, let name):
            "this database has migration \(version) (\(name)) that this build does not know: it was migrated by a newer zhengshe"
        }
    }
}

/// Applies `Schema/` migrations in order, each in its own transaction, recording each with its
/// checksum. Safe to run twice (a no-op) and from two processes at once (an advisory lock).
public struct Migrator: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    public let migrations: [Migration]

    /// Arbitrary but fixed: the advisory lock that serializes migrators on one database.
    static let lockKey: Int64 = 0x7a68_656e_6773_6865  // "zhengshe"

    public init(client: PostgresClient, logger: Logger, migrations: [Migration]? = nil) throws {
        self.client = client
        self.logger = logger
        self.migrations = try migrations.map { try Migration.ordered($0) } ?? Migration.bundled()
    }

    /// Applies what is pending and returns it (empty when the database was up to date).
    /// - Throws: ``MigrationError`` when an applied file changed or the database is newer.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await client.withConnection { connection in
            try await connection.checkedQuery("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection)
                try await connection.checkedQuery("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                _ = try? await connection.checkedQuery("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The recorded migrations of this database: version → (name, checksum).
    public func applied() async throws -> [Int: (name: String, checksum: String)] {
        try await client.withConnection { try await recorded(on: $0) }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.checkedQuery(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            logger: logger
        )
        let recorded = try await recorded(on: connection)
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, entry) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else { throw MigrationError.unknownApplied(version: version, name: entry.name) }
            guard migration.checksum == entry.checksum else {
                throw MigrationError.changedAfterApplied(name: migration.name, recorded: entry.checksum, current: migration.checksum)
            }
        }
        var appliedNow: [Migration] = []
        for migration in migrations where recorded[migration.version] == nil {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            try await connection.checkedQuery("BEGIN", logger: logger)
            for statement in SQLScript.statements(migration.sql) {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.checkedQuery(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                logger: logger
            )
            try await connection.checkedQuery("COMMIT", logger: logger)
            appliedNow.append(migration)
        }
        return appliedNow
    }

    private func recorded(on connection: PostgresConnection) async throws -> [Int: (name: String, checksum: String)] {
        let exists = try await connection.checkedQuery("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return [:] }
        let rows = try await connection.checkedQuery("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        var result: [Int: (name: String, checksum: String)] = [:]
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            result[version] = (name, checksum)
        }
        return result
    }
}
