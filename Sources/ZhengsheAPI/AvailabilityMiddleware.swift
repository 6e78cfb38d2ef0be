import Hummingbird
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheStore

/// No request under `/v1` waits on a database known to be out of reach: while
/// ``DatabaseAvailability`` says it is down (a request found it unreachable, or the monitor's probe
/// failed), `503` at once, with `Retry-After`; a request that finds it unreachable marks it so,
/// for the others, until the monitor reaches it again.
struct AvailabilityMiddleware: RouterMiddleware {
    let availability: DatabaseAvailability

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") else { return try await next(request, context) }
        if availability.outage != nil {
            // Answered without a word in the log: the monitor logged the outage once.
            throw Problem(ApplicationError.unavailable(""))
        }
        do {
            return try await next(request, context)
        } catch let error {
            // A request cancelled (its client went away) says nothing of the database.
            guard !Task.isCancelled, let reason = Self.unavailable(error) else { throw error }
            availability.markDown(reason)
            // Whatever layer it surfaced in (a token lookup, a filing, a read), it reads as 503.
            throw ApplicationError.unavailable(reason)
        }
    }

    /// What made the database unreachable, if that is what `error` says, in words fit for the log:
    /// never the request itself (its headers carry the bearer token).
    static func unavailable(_ error: any Error) -> String? {
        if case ApplicationError.unavailable(let reason) = error { return reason }
        if let error = error as? ServerError { return unavailable(error.underlyingError) }
        return DatabaseHealth.isUnavailable(error) ? String(reflecting: error) : nil
    }
}
