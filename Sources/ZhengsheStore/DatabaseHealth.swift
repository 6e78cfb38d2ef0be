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
        let rows = try await client.checkedQuery(
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

    /// The database out of reach, going away or not yet back — worth a retry, not a bug:
    /// - the server's own word: its connection terminated by a shutdown or an administrator
    ///   (`57P01`, `57P02`), starting up or shutting down (`57P03`), a connection exception
    ///   (class `08`), too many connections (`53300`);
    /// - no word from it: the connection failed, was closed by it or ended uncleanly, or the pool
    ///   is closed or gave up (`ConnectionPoolError`), or a held connection had closed before a
    ///   statement was sent on it (``ConnectionLost``).
    public static func isUnavailable(_ error: any Error) -> Bool {
        if error is ConnectionLost { return true }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                return state.hasPrefix("57P") || state.hasPrefix("08") || state == "53300"
            }
            return error.code == .connectionError || error.code == .serverClosedConnection || error.code == .uncleanShutdown
                || error.code == .clientClosedConnection || error.code == .poolClosed
        }
        // The pool shut down or gave up connecting; a lease the request itself cancelled (its
        // client went away) says nothing of the database.
        return String(reflecting: type(of: error)).contains("ConnectionPoolError") && !String(reflecting: error).contains("requestCancelled")
    }
}
