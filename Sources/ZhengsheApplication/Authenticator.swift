public import ZhengsheDomain
import ZhengsheStore

/// Bearer tokens to actors: the role, party and (for evaluators) year a token is bound to.
public struct Authenticator: Sendable {
    let tokens: TokenStore

    /// The actor holding `secret`.
    /// - Throws: ``ApplicationError/unauthenticated(_:)`` for an unknown or revoked token.
    public func actor(for secret: String) async throws -> Actor {
        let token = try await ApplicationError.mapping { try await tokens.authenticate(secret) }
        guard let token, let role = Actor.Role(rawValue: token.role) else {
            throw ApplicationError.unauthenticated("this token is unknown or revoked (访问令牌无效或已撤销)")
        }
        return Actor(name: token.name, role: role, party: PartyCode(token.party), year: token.year)
    }
}
