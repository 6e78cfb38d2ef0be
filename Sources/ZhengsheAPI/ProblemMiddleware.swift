public import Hummingbird
import HTTPTypes
import Logging
import PostgresNIO

/// Turns Hummingbird's own errors (no route, body too large, …) into problem+json, so that every
/// error a client sees has the same shape.
public struct ProblemMiddleware: RouterMiddleware {
    /// Connection failures (no server answer) and an exhausted pool: worth a retry, not a bug.
    static func isDatabaseUnavailable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo == nil && error.code == .connectionError }
        return String(reflecting: type(of: error)).contains("ConnectionPoolError")
    }

    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPError {
            throw Problem(
                error.status,
                type: "http-\(error.status.code)",
                title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase
            )
        } catch let error as any HTTPResponseError {
            throw Problem(error.status, type: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.status.reasonPhrase)
        } catch let error where Self.isDatabaseUnavailable(error) {
            context.logger.error("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            var problem = Problem(
                .serviceUnavailable, type: "database-unavailable", title: "Service unavailable 服务暂不可用",
                detail: "The database cannot be reached; nothing was recorded. Retry shortly with the same Idempotency-Key (请稍后重试)."
            )
            problem.extensions["retryAfterSeconds"] = "5"
            throw problem
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(
                .internalServerError, type: "internal", title: "Internal error 内部错误",
                detail: "The request failed inside the service; nothing was recorded. Quote request \(context.requestID) when reporting it."
            )
        }
    }
}
