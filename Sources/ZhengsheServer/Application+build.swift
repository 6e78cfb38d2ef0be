public import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
public import PostgresNIO
public import ServiceLifecycle
public import ZhengsheAPI
public import ZhengsheApplication
import ZhengsheProjections
import ZhengsheStore

/// Builds the whole service: the database client, the event store, the application, the HTTP
/// routes and the services that run beside them. `zhengshe serve` and the tests both call this.
///
/// - Parameters:
///   - http: where to listen (``ServiceSettings/http``).
///   - connections: how many connections at once, and for how long an idle one
///     (``ServiceSettings/connections``).
///   - database: how to reach PostgreSQL; the application runs its own client as a service.
///   - services: services to run before the database client and stop after it (the embedded
///     cluster goes here).
///   - migrate: apply pending migrations before the server accepts requests.
///   - projections: run the projections (one runner each; across processes only one runs each).
///   - clock: the service's clock, for the rules that compare business time with now.
///   - readYourWritesWait: how long a read given a `minPosition` waits for the projections.
public func buildApplication(
    http: ApplicationConfiguration = .init(),
    connections: Connections = .init(),
    database configuration: PostgresClient.Configuration,
    services: [any Service] = [],
    migrate: Bool = true,
    projections: Bool = true,
    clock: @escaping @Sendable () -> Date = Date.init,
    readYourWritesWait: Duration = .seconds(2),
    logger: Logger
) async throws -> some ApplicationProtocol {
    _ = Telemetry.registry  // before anything makes a metric
    var configuration = configuration
    configuration.options.additionalStartupParameters += Database.sessionSettings
    let database = PostgresClient(configuration: configuration, backgroundLogger: logger)
    let notifier = AppendNotifier(client: database, logger: logger)
    let store = PostgresEventStore(client: database, logger: logger, notifier: notifier)
    let availability = DatabaseAvailability()
    availability.watch(database)
    let tokenCache = TokenCache()
    let application = ApplicationServices(store: store, tokens: TokenStore(client: database, logger: logger, cache: tokenCache), clock: clock,
                                          readYourWritesWait: readYourWritesWait, availability: availability, logger: logger)

    let router = try buildRouter(application)
    var http = http
    http.availableConnectionsDelegate = MaximumAvailableConnections(connections.maximum, logger: logger)
    let idle = connections.idleTimeout.components
    logger.info("HTTP connections: at most \(connections.maximum) at once, idle ones closed after \(idle.seconds) s")
    if connections.requestedMaximumLowered {
        logger.warning("HTTP_MAX_CONNECTIONS is above what the open-file limit leaves room for; lowered to \(connections.maximum) (raise LimitNOFILE)")
    }
    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000))),
        configuration: http,
        services: services + [database, notifier, DatabaseMonitor(configuration: configuration, availability: availability, logger: logger),
                              TokenRevocationListener(client: database, cache: tokenCache, logger: logger)]
            + (projections ? Projections.all.map { ProjectionRunner(projection: $0, store: store, logger: logger) as any Service } : []),
        logger: logger
    )
    if migrate {
        let migrator = try Migrator(client: database, logger: logger)
        app.beforeServerStarts {
            let applied = try await migrator.migrate()
            logger.info("database schema is current", metadata: ["applied": "\(applied.map(\.name))"])
        }
    }
    return app
}

/// Every route of the service, with its middleware, on `application`.
public func buildRouter(_ application: ApplicationServices) throws -> Router<AppRequestContext> {
    _ = Telemetry.registry  // metrics made before the backend is bootstrapped would stay silent
    let router = Router(context: AppRequestContext.self)
    try router.addZhengsheRoutes(services: application, metrics: Telemetry.text)
    return router
}
