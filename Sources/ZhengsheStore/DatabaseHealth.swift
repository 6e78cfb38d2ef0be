public import Logging
public import PostgresNIO

/// Whether PostgreSQL answers, and what a failure to reach it looks like.
public struct DatabaseHealth: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The server's version and the highest migration applied.
    public func versions() async throws -> (server: String, schema: Int?) {
        let rows = try await client.query(
            "SELECT current_setting('server_version'), (SELECT max(version) FROM schema_migrations)", logger: logger)
        for try await (server, schema) in rows.decode((String, Int?).self) { return (server, schema) }
        return ("", nil)
    }

    /// A read table that does not exist yet: the read side has not finished its first build.
    public static func isReadSideMissing(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "42P01"
    }

    /// The server refused the data itself — a data exception (SQLSTATE class 22) or a broken
    /// constraint (class 23) — rather than failing to run it.
    public static func isRefusedData(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    /// Connection failures (no server answer) and an exhausted pool: worth a retry, not a bug.
    public static func isUnavailable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo == nil && error.code == .connectionError }
        return String(reflecting: type(of: error)).contains("ConnectionPoolError")
    }
}
