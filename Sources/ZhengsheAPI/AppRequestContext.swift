import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import Synchronization
public import ZhengsheDomain

/// The per-request context: Hummingbird's core context, the request id and the authenticated actor.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's `X-Request-Id` or one made up for it; echoed on the response and stored
    /// in the metadata of every event the request files.
    public var requestID: String = ""
    /// The authenticated filer, set by ``AuthenticationMiddleware`` on `/v1` routes.
    public var actor: Actor?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// The context of the request being handled, for the generated handlers, which see only the
    /// operation's input (set by ``OpenAPIRequestContextMiddleware``).
    @TaskLocal static var current: AppRequestContext?
}

/// Makes the request's context reachable from the generated handlers, and gives their header
/// values back their plain form.
///
/// The OpenAPI runtime writes header values in the "simple" style, percent-encoding reserved
/// characters: an entity tag `"4"` would leave as `%224%22` and a Location's slashes as `%2F`.
/// Our header values never contain a literal `%`, so decoding them is lossless.
struct OpenAPIRequestContextMiddleware: RouterMiddleware {
    static let plainHeaders: [HTTPField.Name] = [.eTag, .location]

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let prerendered = PrerenderedBody()
        var response = try await PrerenderedBody.$current.withValue(prerendered) {
            try await AppRequestContext.$current.withValue(context) { try await next(request, context) }
        }
        for name in Self.plainHeaders {
            if let value = response.headers[name], let plain = value.removingPercentEncoding { response.headers[name] = plain }
        }
        if let bytes = prerendered.take() {
            response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            response.headers[.contentLength] = String(bytes.count)
        }
        return response
    }
}

/// The body of a JSON answer that its handler wrote itself, in the contract's own shape, because
/// the generated encoding would be too slow for its size (``TwoWayJSON``): the handler returns the
/// typed value as usual and leaves the bytes here; ``OpenAPIRequestContextMiddleware`` sends them
/// in its place.
final class PrerenderedBody: Sendable {
    private let bytes = Mutex<Data?>(nil)

    /// The current request's, under ``OpenAPIRequestContextMiddleware``.
    @TaskLocal static var current: PrerenderedBody?

    func answer(_ data: Data) { bytes.withLock { $0 = data } }

    func take() -> Data? { bytes.withLock { value in defer { value = nil }; return value } }
}

extension AppRequestContext {
    /// The current request's context and its authenticated actor.
    static func requireActor() throws -> (context: AppRequestContext, actor: Actor) {
        guard let context = current, let actor = context.actor else {
            throw Problem.unauthorized("a bearer token is required: Authorization: Bearer <token> (缺少访问令牌)")
        }
        return (context, actor)
    }
}
