public import ZhengsheDomain

/// Why a request to the application failed, in terms an adapter (HTTP, the command line) can turn
/// into an answer. Nothing was recorded when any of these is thrown.
public enum ApplicationError: Error, Sendable, Hashable {
    /// The filing's body does not fit its event type (or names no type of the stream).
    case invalid(EventDecodingError)
    /// A rule of the stream refuses the filing.
    case refused(DomainError)
    /// The thing asked for does not exist, or the actor may not see it (the two are told alike):
    /// what, and the path parameter that named it.
    case notFound(String, field: String)
    /// A field of the request, outside the event body, is wrong: its JSON pointer, rule and message.
    case badRequest(field: String, rule: String, message: String)
    /// The stream is not at the version the filer pinned.
    case versionConflict(stream: String, expected: Int64, actual: Int64, pinnedBy: VersionPin.Source)
    /// The stream kept changing while the filing was decided, through every retry.
    case keptChanging(stream: String)
    /// The idempotency key was used before for a different filing.
    case idempotencyConflict(key: String)
    /// The token is missing, unknown or revoked.
    case unauthenticated(String)
    /// The database cannot be reached now; retrying later is safe.
    case unavailable(String)
    /// The filing could not get its turn in time: the filings before it on the stream took too
    /// long (their database out of reach), or, for a barrier in the log (a finalization), the
    /// filings in flight did. Nothing was recorded; retrying shortly is safe.
    case busy(stream: String)
    /// The database did not answer the filing within this many seconds (its connection went from
    /// under it): it may or may not have been recorded, and a retry with the same idempotency key
    /// records it at most once.
    case noAnswer(seconds: Int)
    /// The read side's first build has not finished: its tables do not exist yet.
    case readSideBuilding
    /// The read side has not yet applied the filing the reader asked to see (read-your-writes).
    case projectionLag(projection: String, position: Int64)
    /// Filings made together (a sheet's rows) that the stream's rules refuse, each by its index;
    /// none of them was recorded.
    case refusedTogether([RefusedFiling])
}

/// One of several filings made together that a rule refuses.
public struct RefusedFiling: Sendable, Hashable {
    /// Its place among the filings, from 0.
    public var index: Int
    public var error: DomainError
}

/// A version the filer pinned: the stream must be exactly there.
public struct VersionPin: Sendable, Hashable {
    /// Where the pin came from, so the answer can name it.
    public enum Source: Sendable, Hashable {
        /// `If-Match` (HTTP 412 on mismatch).
        case precondition
        /// `expectedVersion` in the body (409).
        case body
    }

    public var version: Int64
    public var source: Source

    public init(_ version: Int64, from source: Source) {
        self.version = version
        self.source = source
    }
}
