public import Foundation

/// What the event store refuses, in terms the caller can act on.
public enum EventStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stream is not at the version the writer expected; nothing was written.
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: Int64)
    /// An event id was recorded before with other content (or in another batch); nothing was written.
    case idempotencyConflict(stream: String, eventID: UUID?)
    /// A stream name of the wrong shape.
    case invalidStreamID(String)
    /// An append with no events, or an event the store cannot hold (bad type name, body not a JSON object).
    case invalidEvent(String)
    /// A barrier could not get the log to itself in time (appends in flight held it); nothing
    /// was written, and a retry is safe.
    case busy(stream: String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "stream \(stream) is at version \(actual), not the expected \(expected)"
        case .idempotencyConflict(let stream, let eventID):
            "event \(eventID.map { "\($0)" } ?? "id") was already recorded with other content (stream \(stream))"
        case .invalidStreamID(let value):
            "'\(value)' is not a stream name: expected a lowercase category, a dash and an id"
        case .invalidEvent(let reason):
            reason
        case .busy(let stream):
            "the log was too busy to record a barrier on stream \(stream) in time; nothing was written"
        }
    }
}
