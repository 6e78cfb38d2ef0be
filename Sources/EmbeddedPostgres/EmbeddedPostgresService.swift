public import ServiceLifecycle

/// Keeps an already started ``EmbeddedPostgres`` cluster for the service group's lifetime and stops
/// it on graceful shutdown. Put it first in the group: services shut down in reverse order, so
/// the database goes last.
public struct EmbeddedPostgresService: Service {
    public let cluster: EmbeddedPostgres

    public init(cluster: EmbeddedPostgres) { self.cluster = cluster }

    public func run() async throws {
        try? await gracefulShutdown()
        try await cluster.stop()
    }
}
