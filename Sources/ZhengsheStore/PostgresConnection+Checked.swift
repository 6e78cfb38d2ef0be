public import Logging
public import PostgresNIO

/// The connection a query was to run on had closed (the server restarted or ended the session)
/// before the query was answered. Reads as the database being unavailable (503), and a retry runs
/// on a fresh connection.
public struct ConnectionLost: Error, CustomStringConvertible {
    public let connection: PostgresConnection.ID?
    /// Why, when not the connection's closing.
    public var reason: String?

    public init(connection: PostgresConnection.ID?, reason: String? = nil) {
        self.connection = connection
        self.reason = reason
    }

    public var description: String {
        reason.map { "\($0) (数据库连接已断开)" }
            ?? "the database connection \(connection.map { "\($0) " } ?? "")closed before the query was answered (数据库连接已断开)"
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
    /// Runs `query` on this connection, or throws ``ConnectionLost`` if it has closed.
    ///
    /// Checked before the query is written, in the caller's task: a task and a watch per statement
    /// cost a fifth of a millisecond each here (the store's append at one client went from 600 to
    /// 450 a second), and the window between the check and the write is microseconds. What a closed
    /// connection leaves waiting after that is bounded by its caller: a filing's 30 s.
    @discardableResult
    public func checkedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ConnectionLost(connection: id) }
        return try await self.query(query, logger: logger, file: file, line: line)
    }
}

extension PostgresClient {
    /// How long a query on a pooled connection may take, the wait for a lease included, before it
    /// is given up: a lease waits for as long as the pool cannot connect. Below a filing's bound
    /// (30 s), so that a read is answered as soon as a filing is.
    public static var queryLimit: Duration { .seconds(15) }

    /// Runs `query` on a pooled connection through ``PostgresConnection/checkedQuery(_:logger:file:line:)``
    /// (so that a connection that closed under it is noticed within a tenth of a second), and returns its rows
    /// read to the end: for queries whose answer fits in memory (every query a request makes;
    /// `verify`, which reads the whole log, streams with PostgresNIO's own `query`).
    /// - Throws: ``ConnectionLost`` when the connection closes or no answer came within ``queryLimit``.
    public func checkedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRows {
        // A lease waits while the pool cannot connect: once the database is known to be down, the
        // query is given up (503 at once, rather than when it is back).
        let availability = DatabaseAvailability.watching(self)
        return try await answerUnlessLost(
            limit: Self.queryLimit, isLost: { availability?.outage != nil },
            lost: { ConnectionLost(connection: nil, reason: availability?.outage.map { "the database is down: \($0.reason)" } ?? "no answer within \(Self.queryLimit)") }
        ) {
            try await self.withConnection { connection in
                PostgresRows(rows: try await connection.checkedQuery(query, logger: logger, file: file, line: line).collect())
            }
        }
    }
}

/// The rows of a query, read to the end: decoded as PostgresNIO's row sequence is (`decode`).
public struct PostgresRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow
    public let rows: [PostgresRow]

    public func collect() -> [PostgresRow] { rows }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[PostgresRow]>
        public mutating func next() async throws -> PostgresRow? { base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: rows.makeIterator()) }
}

/// `body`'s answer; or `lost()` once `isLost()` holds (looked at by the ``Watchdog`` while there
/// is no answer) or `limit` has passed; or `CancellationError` when the caller is cancelled. `body`
/// runs in a task of its own; when the answer is given without it, it is cancelled and left
/// behind (what is stuck may not heed cancellation).
func answerUnlessLost<T: Sendable>(
    limit: Duration? = nil, isLost: @escaping @Sendable () -> Bool, lost: @escaping @Sendable () -> any Error,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let first = FirstAnswer<T>()
    let work = Task { first.resolve(await Result(catching: { try await body() })) }
    first.onCancel { work.cancel() }
    let ticket = Watchdog.shared.register(.init(deadline: limit.map { .now + $0 }, isOver: isLost) {
        work.cancel()
        first.resolve(.failure(lost()))
    })
    // The watch goes with the answer.
    defer { Watchdog.shared.release(ticket) }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { first.install($0) }
    } onCancel: {
        first.cancel()
    }
}
