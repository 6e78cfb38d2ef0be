import ArgumentParser
import Foundation
import Logging
import ZhengsheStore

/// `zhengshe token`: bearer tokens bound to a role and a party code.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens (访问令牌).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it once; only its hash is kept.")

        @Option(help: "government, committee, district, evaluator or admin.") var role: String
        @Option(help: "Party code: 9 digits for a government, 12 for a committee, 6 for a district or an evaluator's district.")
        var party: String = ""
        @Option(help: "An evaluator's year.") var year: Int?
        @Option(help: "Who holds it, e.g. '城东街道 王科长'.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (role, party, year, name) = (role, party, year, name)
            let created = try await database.withClient { client, logger in
                try await Migrator(client: client, logger: logger).migrate()
                return try await TokenStore(client: client, logger: logger).create(name: name, role: role, party: party, year: year)
            }
            print("Token \(created.token.id.uuidString.lowercased()) for \(name) (\(role) \(party)). Shown once; keep it secret:")
            print(created.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let tokens = try await database.withClient { client, logger in
                try await TokenStore(client: client, logger: logger).list()
            }
            for token in tokens {
                let state = token.revokedAt.map { "revoked \($0)" } ?? "active"
                print("\(token.id.uuidString.lowercased())  \(token.role.padding(toLength: 10, withPad: " ", startingAt: 0))  \(token.party.padding(toLength: 12, withPad: " ", startingAt: 0))  \(state)  \(token.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id.")
        @Argument(help: "The token's id, as `token list` shows it.") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a token id") }
            try await database.withClient { client, logger in try await TokenStore(client: client, logger: logger).revoke(uuid) }
            print("Revoked \(uuid).")
        }
    }
}
