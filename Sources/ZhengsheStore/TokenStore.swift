import Crypto
public import Foundation
public import Logging
public import PostgresNIO

/// Bearer tokens, each bound to a role and a party code. The database keeps only each token's
/// SHA-256, so a leaked table reveals no token.
public struct TokenStore: Sendable {
    public struct Token: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var role: String
        public var party: String
        public var year: Int?
        public var createdAt: Date
        public var revokedAt: Date?
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case invalid(String)
        case notFound(UUID)
        public var description: String {
            switch self {
            case .invalid(let reason): reason
            case .notFound(let id): "no token \(id)"
            }
        }
    }

    public let client: PostgresClient
    public let logger: Logger
    /// Live tokens read lately (a serving process's; one-shot commands read every time).
    public let cache: TokenCache?

    public init(client: PostgresClient, logger: Logger, cache: TokenCache? = nil) {
        self.client = client
        self.logger = logger
        self.cache = cache
    }

    /// Creates a token and returns it with its secret, which is shown this once and never stored.
    public func create(name: String, role: String, party: String, year: Int? = nil) async throws -> (token: Token, secret: String) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let secret = "zs_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = UUID()
        do {
            let rows = try await client.checkedQuery(
                """
                INSERT INTO api_tokens (token_id, name, role, party, year, token_hash)
                VALUES (\(id), \(name), \(role), \(party), \(year), \(Data(Self.hash(secret))))
                RETURNING created_at
                """,
                logger: logger
            )
            var created = Date()
            for try await date in rows.decode(Date.self) { created = date }
            return (Token(id: id, name: name, role: role, party: party, year: year, createdAt: created), secret)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23514" {
            throw Error.invalid("role \(role) does not fit party '\(party)'\(year.map { " and year \($0)" } ?? ""): government 9 digits, committee 12, district and evaluator 6 (evaluator with --year), admin none")
        }
    }

    /// The live token with this secret, or nil.
    public func authenticate(_ secret: String) async throws -> Token? {
        let hash = Self.hash(secret)
        if let cached = cache?.token(hash: hash) { return cached }
        let (generation, started) = (cache?.currentGeneration ?? 0, ContinuousClock.now)
        let rows = try await client.checkedQuery(
            "SELECT token_id, name, role, party, year, created_at FROM api_tokens WHERE token_hash = \(Data(hash)) AND revoked_at IS NULL",
            logger: logger
        )
        for try await (id, name, role, party, year, created) in rows.decode((UUID, String, String, String, Int?, Date).self) {
            let token = Token(id: id, name: name, role: role, party: party, year: year, createdAt: created)
            cache?.keep(token, hash: hash, readSince: started, listeningSince: generation)
            return token
        }
        return nil
    }

    public func list() async throws -> [Token] {
        let rows = try await client.checkedQuery(
            "SELECT token_id, name, role, party, year, created_at, revoked_at FROM api_tokens ORDER BY created_at",
            logger: logger
        )
        var tokens: [Token] = []
        for try await (id, name, role, party, year, created, revoked) in rows.decode((UUID, String, String, String, Int?, Date, Date?).self) {
            tokens.append(Token(id: id, name: name, role: role, party: party, year: year, createdAt: created, revokedAt: revoked))
        }
        return tokens
    }

    public func revoke(_ id: UUID) async throws {
        let rows = try await client.checkedQuery(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, clock_timestamp()) WHERE token_id = \(id) RETURNING token_id",
            logger: logger
        )
        for try await _ in rows { return }
        throw Error.notFound(id)
    }

    static func hash(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }
}
