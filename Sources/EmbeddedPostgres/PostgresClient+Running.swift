public import PostgresNIO

extension PostgresClient {
    /// Runs the client for as long as `body` runs, and cancels it after. `body` starts only once
    /// `run()` has begun, so that no query leases a connection before it (which PostgresNIO
    /// warns of: "Trying to lease connection … but `PostgresClient.run()` hasn't been called yet").
    public func withRunning<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (started, signal) = AsyncStream<Void>.makeStream()
            group.addTask {
                signal.finish()
                await self.run()
            }
            for await _ in started {}
            // run() begins on the task just signalled, on another thread: let it get there.
            for _ in 0..<3 { await Task.yield() }
            defer { group.cancelAll() }
            return try await body(self)
        }
    }
}
