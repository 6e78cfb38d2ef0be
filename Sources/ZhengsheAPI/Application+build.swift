public import Hummingbird
public import Logging
public import PostgresNIO
public import ServiceLifecycle
public import ZhengsheStore
import ZhengsheDomain
public import Foundation

/// Builds the whole service: routes, the database client and the services around them.
/// `zhengshe serve` and the tests both call this.
///
/// - Parameters:
///   - settings: where to listen.
///   - database: how to reach PostgreSQL; the application runs its own client as a service.
///   - services: services to run before the database client and stop after it (the embedded
///     cluster goes here).
///   - migrate: apply pending migrations before the server accepts requests.
public func buildApplication(
    settings: ServerSettings,
    database configuration: PostgresClient.Configuration,
    services: [any Service] = [],
    migrate: Bool = true,
    clock: @escaping @Sendable () -> Date = Date.init,
    logger: Logger
) async throws -> some ApplicationProtocol {
    let database = PostgresClient(configuration: configuration, backgroundLogger: logger)
    let notifier = AppendNotifier(client: database, logger: logger)
    let store = PostgresEventStore(client: database, logger: logger, notifier: notifier)

    let router = buildRouter(database: database, store: store, clock: clock, logger: logger)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "zhengshe"),
        services: services + [database, notifier],
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

/// Every route of the service, with its middleware.
public func buildRouter(
    database: PostgresClient, store: PostgresEventStore, clock: @escaping @Sendable () -> Date, logger: Logger
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware())
    HealthController(client: database, logger: logger).addRoutes(to: router)
    OpenAPIDocument.addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(tokens: TokenStore(client: database, logger: logger)))
    let catalogues = StateCache<CatalogueState>()
    AgreementsController(store: store, clock: clock, catalogues: catalogues).addRoutes(to: v1.group("agreements"))
    CataloguesController(store: store, cache: catalogues).addRoutes(to: v1.group("districts"))
    return router
}
