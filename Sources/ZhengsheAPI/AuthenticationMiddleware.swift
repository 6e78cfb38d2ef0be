import Hummingbird
import HTTPTypes
import Logging
import ZhengsheApplication
import ZhengsheDomain

/// Requires `Authorization: Bearer <token>` on `/v1` and puts the token's actor on the context.
/// `/health` and `/openapi.yaml` are open.
struct AuthenticationMiddleware: RouterMiddleware {
    let authenticator: Authenticator

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("a bearer token is required: Authorization: Bearer <token> (缺少访问令牌)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>' (访问令牌格式错误)")
        }
        let actor = try await authenticator.actor(for: String(parts[1]))
        var context = context
        context.actor = actor
        context.logger[metadataKey: "actor"] = "\(actor.name)"
        return try await next(request, context)
    }
}
