/// What the writer believes the stream's version is when it appends.
///
/// A stream's version is the number of events in it: 0 before the first, N after the N-th.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Append whatever the stream holds.
    case any
    /// Append only if the stream has no events yet.
    case noStream
    /// Append only if the stream has exactly this many events.
    case exactly(Int64)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exactly(let version): String(version)
        }
    }
}
