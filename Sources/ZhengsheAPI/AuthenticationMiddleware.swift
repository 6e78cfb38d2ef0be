import Foundation
public import Hummingbird
import HTTPTypes
import Logging
import ZhengsheDomain
public import ZhengsheStore

/// Requires `Authorization: Bearer <token>` and puts the token's actor on the context.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let tokens: TokenStore

    public init(tokens: TokenStore) { self.tokens = tokens }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("a bearer token is required: Authorization: Bearer <token> (缺少访问令牌)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>' (访问令牌格式错误)")
        }
        guard let token = try await tokens.authenticate(String(parts[1])),
              let role = Actor.Role(rawValue: token.role)
        else {
            throw Problem.unauthorized("this token is unknown or revoked (访问令牌无效或已撤销)")
        }
        var context = context
        context.actor = Actor(name: token.name, role: role, party: PartyCode(token.party))
        context.evaluatorYear = token.year
        context.logger[metadataKey: "actor"] = "\(token.name)"
        return try await next(request, context)
    }
}

extension AppRequestContext {
    /// The authenticated actor; routes behind ``AuthenticationMiddleware`` always have one.
    var requireActor: Actor {
        get throws {
            guard let actor else { throw Problem.unauthorized("a bearer token is required (缺少访问令牌)") }
            return actor
        }
    }
}
