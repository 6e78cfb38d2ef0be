public import Hummingbird
import OpenAPIHummingbird
public import ZhengsheApplication

extension Router<AppRequestContext> {
    /// Every route of the contract, generated from `openapi.yaml`, with the middleware around them:
    /// request metrics, request ids, problem+json, `503` at once while the database is known to be
    /// down, bearer tokens on `/v1`, filing bodies checked for type and size.
    /// - Parameter metrics: the process's metrics in Prometheus' text format, for `GET /metrics`.
    public func addZhengsheRoutes(services: ApplicationServices, metrics: @escaping @Sendable () -> String) throws {
        add(middleware: MetricsMiddleware())
        add(middleware: RequestIDMiddleware())
        add(middleware: ProblemMiddleware())
        add(middleware: AvailabilityMiddleware(availability: services.availability))
        add(middleware: AuthenticationMiddleware(authenticator: services.authenticator))
        add(middleware: FilingBodyMiddleware())
        add(middleware: OpenAPIRequestContextMiddleware())
        try APIHandler(services: services, metrics: metrics).registerHandlers(on: self, configuration: APIJSON.configuration)
    }
}
