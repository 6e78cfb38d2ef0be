import ArgumentParser
import Logging
import ZhengsheStore

/// `zhengshe migrate`: applies pending `Schema/` migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations from Schema/ and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let applied = try await database.withClient(logLevel: .info) { client, logger in
            try await Migrator(client: client, logger: logger).migrate()
        }
        print(applied.isEmpty ? "Database is up to date." : "Applied: " + applied.map(\.name).joined(separator: ", "))
    }
}
