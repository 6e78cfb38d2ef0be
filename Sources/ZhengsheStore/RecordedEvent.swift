public import Foundation

/// An event as the log holds it.
public struct RecordedEvent: Sendable, Hashable {
    public var streamID: String
    /// 1 for the stream's first event.
    public var streamVersion: Int64
    public var position: LogPosition
    public var id: UUID
    public var type: String
    /// The body as canonical JSON text (jsonb's form: keys ordered, no insignificant spaces).
    public var data: String
    public var metadata: EventMetadata
    /// Business time, as filed.
    public var occurredAt: Date
    /// When the database recorded it.
    public var recordedAt: Date
    /// SHA-256 of the previous event in the stream, nil for the first.
    public var previousHash: [UInt8]?
    /// SHA-256 over `previousHash` and this event's canonical content.
    public var hash: [UInt8]
}

/// Where an event stands in the global log.
///
/// Readers of the global log order by transaction, then by position, and read only events whose
/// transaction is older than every transaction still in flight; so a checkpoint is the pair.
/// `globalPosition` alone identifies the event but is not a safe resume point.
public struct LogPosition: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var transactionID: UInt64
    public var globalPosition: Int64

    /// Before the first event.
    public static let start = LogPosition(transactionID: 0, globalPosition: 0)

    public init(transactionID: UInt64, globalPosition: Int64) {
        self.transactionID = transactionID
        self.globalPosition = globalPosition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.transactionID, lhs.globalPosition) < (rhs.transactionID, rhs.globalPosition)
    }

    public var description: String { "\(transactionID):\(globalPosition)" }
}

/// What an append wrote (or, for a retry, what the first attempt wrote).
public struct AppendResult: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var id: UUID
        public var streamVersion: Int64
        public var position: LogPosition
        public var recordedAt: Date
        public var hash: [UInt8]
    }

    public var streamID: String
    /// One per appended event, in order.
    public var events: [Entry]
    /// True when every event had been recorded before with the same content: nothing was written.
    public var replayed: Bool

    /// The stream's version after the append: the version of its last event.
    public var streamVersion: Int64 { events.last?.streamVersion ?? 0 }
    /// The global position of the last appended event.
    public var globalPosition: Int64 { events.last?.position.globalPosition ?? 0 }
}
