import Foundation
import Logging
import PostgresNIO
import Testing
@testable import ZhengsheStore
import ZhengsheTestSupport

/// Each test has an empty database of its own: they apply different sets of migrations.
@Suite(.timeLimit(.minutes(2))) struct MigrationTests {
    @Test(.emptyDatabase) func migratesOnceConcurrentlyThenIsANoOp() async throws {
        let database = try TestDatabase.current
        let bundled = try Migration.bundled()
        #expect(bundled.first?.name == "0001_event_store.sql")

        // Two migrators at once, each on its own client: one applies, the other finds it done.
        let results = try await withThrowingTaskGroup(of: [Migration].self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let client = PostgresClient(configuration: database.configuration, backgroundLogger: database.logger)
                    return try await withThrowingTaskGroup(of: [Migration].self) { inner in
                        inner.addTask { await client.run(); return [] }
                        defer { inner.cancelAll() }
                        return try await Migrator(client: client, logger: database.logger).migrate()
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.count).sorted() == [0, bundled.count])
        #expect(try await Migrator(client: database.client, logger: database.logger).migrate().isEmpty)
        let applied = try await Migrator(client: database.client, logger: database.logger).applied()
        #expect(applied.keys.sorted() == bundled.map(\.version))
        #expect(applied[1]?.checksum == bundled[0].checksum)
    }

    @Test(.emptyDatabase) func aChangedAppliedFileStopsWithAClearMessage() async throws {
        let database = try TestDatabase.current
        let original = try Migration.bundled()
        try await Migrator(client: database.client, logger: database.logger).migrate()
        let edited = try [Migration(name: original[0].name, sql: original[0].sql + "\n-- edited")] + original.dropFirst()
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(client: database.client, logger: database.logger, migrations: edited).migrate()
        }
        #expect(error?.description.contains("0001_event_store.sql was changed after this database applied it") == true)
    }

    @Test(.emptyDatabase) func aNewMigrationIsAppliedAndAnUnknownAppliedOneIsRefused() async throws {
        let database = try TestDatabase.current
        let bundled = try Migration.bundled()
        let extra = try Migration(name: "9001_probe.sql", sql: "CREATE TABLE probe (id int); -- a comment; with a semicolon\nINSERT INTO probe VALUES (1);")
        let applied = try await Migrator(client: database.client, logger: database.logger, migrations: bundled + [extra]).migrate()
        #expect(applied.map(\.name).last == "9001_probe.sql")
        await #expect(throws: MigrationError.unknownApplied(version: 9001, name: "9001_probe.sql")) {
            try await Migrator(client: database.client, logger: database.logger).migrate()
        }
    }

    @Test(.emptyDatabase) func aFailingMigrationLeavesNothingBehind() async throws {
        let database = try TestDatabase.current
        let broken = try Migration(name: "9100_broken.sql", sql: "CREATE TABLE half_done (id int);\nSELECT no_such_function();")
        await #expect(throws: PSQLError.self) {
            try await Migrator(client: database.client, logger: database.logger, migrations: try Migration.bundled() + [broken]).migrate()
        }
        let rows = try await database.client.query("SELECT to_regclass('half_done') IS NULL", logger: database.logger)
        for try await absent in rows.decode(Bool.self) { #expect(absent) }
        #expect(try await Migrator(client: database.client, logger: database.logger).applied()[9100] == nil)
    }
}
