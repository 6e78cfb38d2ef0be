public import Logging
public import PostgresNIO

/// The connection a query was to run on had closed (the server restarted or ended the session)
/// before the query was answered. Reads as the database being unavailable (503), and a retry runs
/// on a fresh connection.
public struct ConnectionLost: Error, CustomStringConvertible {
    public let connection: PostgresConnection.ID?
    public var description: String {
        "the database connection \(connection.map { "\($0) " } ?? "")closed before the query was answered (数据库连接已断开)"
    }
}

/// PostgresNIO (1.33) hands a query to its channel without a write promise. Once the channel has
/// closed its handlers are gone, the write fails unseen, and the query's own promise is never
/// completed: a query sent on a connection the server closed meanwhile waits for ever, and no
/// cancellation reaches it (vapor/postgres-nio#487 fixed this and #501 reverted it). It happens
/// between two statements of a transaction during a restart, on a projection runner's long-held
/// connection, and when the pool leases a connection that closed a moment before. Every query of
/// the service goes through one of the two `checkedQuery` below, which answer in every case.
extension PostgresConnection {
    /// Runs `query` on this connection, or throws ``ConnectionLost`` if it has closed or closes
    /// before the query is answered.
    @discardableResult
    public func checkedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ConnectionLost(connection: id) }
        let connection = self
        return try await answerUnlessLost(isLost: { connection.isClosed }, lost: { ConnectionLost(connection: connection.id) }) {
            try await connection.query(query, logger: logger, file: file, line: line)
        }
    }
}

extension PostgresClient {
    /// How long a query on a pooled connection may take to start answering before it is taken for
    /// lost: the pool gives no way to see whether its connection closed under it.
    public static var queryStartLimit: Duration { .seconds(60) }

    /// Runs `query` on a pooled connection; throws ``ConnectionLost`` when no answer has begun
    /// within ``queryStartLimit`` (the rows are streamed after that as usual).
    @discardableResult
    public func checkedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        try await answerUnlessLost(limit: Self.queryStartLimit, isLost: { false }, lost: { ConnectionLost(connection: nil) }) {
            try await self.query(query, logger: logger, file: file, line: line)
        }
    }
}

/// `body`'s answer; or `lost()` once `isLost()` holds (looked at each second while there is no
/// answer) or `limit` has passed. `body` runs in a task of its own; when the answer is given
/// without it, it is cancelled and left behind (what is stuck may not heed cancellation).
func answerUnlessLost<T: Sendable>(
    limit: Duration? = nil, isLost: @escaping @Sendable () -> Bool, lost: @escaping @Sendable () -> any Error,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let first = FirstAnswer<T>()
    let work = Task { first.resolve(await Result(catching: { try await body() })) }
    first.onCancel { work.cancel() }
    let watch = Task {
        let started = ContinuousClock.now
        while true {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled else { return }
            if isLost() || limit.map({ ContinuousClock.now - started >= $0 }) == true {
                work.cancel()
                first.resolve(.failure(lost()))
                return
            }
        }
    }
    // The watch goes with the answer.
    defer { watch.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { first.install($0) }
    } onCancel: {
        first.cancel()
    }
}
