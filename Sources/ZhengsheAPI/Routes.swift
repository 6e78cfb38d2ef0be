public import Hummingbird
import OpenAPIHummingbird
public import ZhengsheApplication

extension Router<AppRequestContext> {
    /// Every route of the contract, generated from `openapi.yaml`, with the middleware around them:
    /// request ids, problem+json, bearer tokens on `/v1`, filing bodies checked for type and size.
    public func addZhengsheRoutes(services: ApplicationServices) throws {
        add(middleware: RequestIDMiddleware())
        add(middleware: ProblemMiddleware())
        add(middleware: AuthenticationMiddleware(authenticator: services.authenticator))
        add(middleware: FilingBodyMiddleware())
        add(middleware: OpenAPIRequestContextMiddleware())
        try APIHandler(services: services).registerHandlers(on: self, configuration: APIJSON.configuration)
    }
}
