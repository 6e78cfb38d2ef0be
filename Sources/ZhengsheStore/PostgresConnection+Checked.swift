public import Logging
public import PostgresNIO

/// The connection a query was to run on had already closed (the server restarted or ended the
/// session): nothing was sent. Reads as the database being unavailable (503), and a retry runs
/// on a fresh connection.
public struct ConnectionLost: Error, CustomStringConvertible {
    public let connection: PostgresConnection.ID
    public var description: String { "the database connection \(connection) had closed before the query was sent (数据库连接已断开)" }
}

extension PostgresConnection {
    /// Runs `query` on this connection unless it has closed.
    ///
    /// PostgresNIO (1.33) hands a query to its channel without a write promise. Once the channel
    /// has closed its handlers are gone, the write fails unseen, and the query's own promise is
    /// never completed: a query sent on a connection the server closed meanwhile (a restart
    /// between two statements of a transaction, or a projection runner's long-held connection)
    /// waits for ever, and no cancellation reaches it. Every query on a connection held across
    /// more than one statement goes through here; a query that reached the channel before it
    /// closed is failed by PostgresNIO itself.
    @discardableResult
    public func checkedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ConnectionLost(connection: id) }
        return try await self.query(query, logger: logger, file: file, line: line)
    }
}
