public import Hummingbird
import HTTPTypes
import Logging

/// Turns Hummingbird's own errors (no route, body too large, …) into problem+json, so that every
/// error a client sees has the same shape.
public struct ProblemMiddleware: RouterMiddleware {
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
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(
                .internalServerError, type: "internal", title: "Internal error 内部错误",
                detail: "The request failed inside the service; nothing was recorded. Quote request \(context.requestID) when reporting it."
            )
        }
    }
}
