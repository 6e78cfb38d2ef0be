public import Hummingbird
public import Logging
import NIOCore

/// The per-request context: Hummingbird's core context plus the request id.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's `X-Request-Id` or one made up for it; echoed on the response and stored
    /// in the metadata of every event the request files.
    public var requestID: String = ""

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
