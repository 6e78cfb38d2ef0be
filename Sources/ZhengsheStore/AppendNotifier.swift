public import PostgresNIO
public import ServiceLifecycle
public import Logging

/// Wakes `LISTEN`ers on ``PostgresEventStore/notificationChannel`` after appends commit.
///
/// `NOTIFY` inside the appending transaction would take PostgreSQL's notify-queue lock until the
/// commit is flushed, serializing every append in the cluster. So the store tells this service
/// after its commit, and the service sends one `NOTIFY` for however many appends happened while
/// the previous one was on its way. A notification is a hint to read, never the data itself:
/// readers resume from their own checkpoint.
public struct AppendNotifier: Service {
    let client: PostgresClient
    let logger: Logger
    let positions: AsyncStream<Int64>
    let continuation: AsyncStream<Int64>.Continuation

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        (positions, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records that events up to global `position` committed; returns at once.
    public func appended(position: Int64) {
        continuation.yield(position)
    }

    public func run() async throws {
        for await position in positions.cancelOnGracefulShutdown() {
            do {
                try await client.checkedQuery(
                    "SELECT pg_notify(\(PostgresEventStore.notificationChannel), \(String(position)))",
                    logger: logger
                )
            } catch {
                logger.warning("could not notify listeners of new events", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }
}

extension PostgresEventStore {
    /// Listens for committed appends on one pooled connection until `body` returns.
    public func listenForAppends<Value: Sendable>(
        _ body: (PostgresNotificationSequence) async throws -> Value
    ) async throws -> Value {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.notificationChannel, consume: body)
        }
    }
}
