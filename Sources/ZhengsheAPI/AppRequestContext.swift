public import Hummingbird
public import Logging
import NIOCore
public import ZhengsheDomain

/// The per-request context: Hummingbird's core context plus the request id.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's `X-Request-Id` or one made up for it; echoed on the response and stored
    /// in the metadata of every event the request files.
    public var requestID: String = ""
    /// The authenticated filer, set by ``AuthenticationMiddleware``.
    public var actor: Actor?
    /// An evaluator token's year.
    public var evaluatorYear: Int?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
