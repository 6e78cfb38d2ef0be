import EmbeddedPostgres
import Logging
public import PostgresNIO
public import ServiceLifecycle
import ZhengsheStore

/// How the service reaches PostgreSQL: the server `DATABASE_URL` names, or the embedded cluster
/// in the data folder, started (and initialised on first start) when needed.
public struct Database: Sendable {
    /// Set on every connection of the service. A transaction left open must not hold back the
    /// global read (which waits for the oldest transaction in the cluster) for long; the read
    /// side's queries sort tens of thousands of rows for a street, in memory rather than on disk.
    public static let sessionSettings: [(String, String)] = [
        ("idle_in_transaction_session_timeout", "30s"),
        ("work_mem", "32MB"),
        ("application_name", "zhengshe"),
        // The queries are short or read a district's year: compiling them to machine code (JIT)
        // costs more than it saves (150 ms on the two-way report's evidence, measured).
        ("jit", "off"),
    ]

    public var configuration: PostgresClient.Configuration
    /// Services that must run around the client: the embedded cluster, stopped last on shutdown.
    public var services: [any Service]
    /// The embedded cluster, when this call started it; a one-shot command stops only a cluster
    /// it started, so it never stops the one a running `serve` uses.
    let started: EmbeddedPostgres?

    public static func open(_ settings: ServiceSettings, logger: Logger) async throws -> Database {
        if let url = settings.databaseURL {
            return Database(configuration: try DatabaseURL.configuration(from: url), services: [], started: nil)
        }
        let cluster = try EmbeddedPostgres(configuration: .init(directory: settings.dataDirectory + "/postgres"), logger: logger)
        let started = try await cluster.start()
        do {
            try await cluster.createDatabase("zhengshe")
        } catch {
            if started { try? await cluster.stop() }
            throw error
        }
        // serve stops the cluster on shutdown either way: it owns the data folder.
        return Database(configuration: cluster.clientConfiguration(database: "zhengshe"), services: [EmbeddedPostgresService(cluster: cluster)],
                        started: started ? cluster : nil)
    }

    /// Stops the embedded cluster if this process started it (when a command fails before its
    /// services run).
    public func stopIfStarted() async {
        try? await started?.stop()
    }

    /// Runs `body` with a running client, for one-shot commands; stops the embedded cluster after,
    /// if this process started it.
    public func withClient<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        do {
            let result = try await client.withRunning(body)
            try await started?.stop()
            return result
        } catch {
            try? await started?.stop()
            throw error
        }
    }
}
