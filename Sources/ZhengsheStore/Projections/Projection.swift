public import Foundation
public import Logging
public import PostgresNIO

/// What a projection does: which rows of its own tables each event changes. How it is run —
/// reading the log, batching, checkpoints, the lock, rebuilds — is ``ProjectionRunner``'s, so a new
/// projection is this one type and nothing else.
public protocol Projection: Sendable {
    /// Names it everywhere (its generations, its lock, `zhengshe projections`): lower case, e.g. `funding`.
    var name: String { get }
    /// Raised when what it writes changes: a new version is built from the first event into a
    /// generation of its own and replaces the live one once caught up.
    var version: Int { get }
    /// Its tables; the live generation's are readable as views `projections.<table>`, so the names
    /// are unique across projections.
    var tables: [String] { get }
    /// The statements that create its tables (and their indexes) in `schema`.
    func createTables(in schema: String) -> [String]
    /// Applies `events`, in log order, inside the runner's transaction on `connection`, writing only
    /// to tables in `schema`. Events of streams it does not read are skipped.
    /// - Throws: ``ProjectionFailure`` naming the event it could not apply; the runner then stops
    ///   at that event, applies nothing of the batch, and says so in its status.
    func apply(_ events: [RecordedEvent], schema: String, on connection: PostgresConnection, logger: Logger) async throws
}

/// Writes a projection collected over a whole batch failed, and which event of the batch caused it
/// is not known. The runner applies the batch again event by event, each with its checkpoint, so
/// that the failure names its event (``ProjectionFailure``).
public struct ProjectionBatchFailed: Error, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// An event a projection could not apply, and why.
public struct ProjectionFailure: Error, CustomStringConvertible {
    public var event: RecordedEvent
    public var reason: String

    public init(event: RecordedEvent, reason: String) {
        self.event = event
        self.reason = reason
    }

    public var description: String {
        "event \(event.id.uuidString.lowercased()) (\(event.type), \(event.streamID) v\(event.streamVersion), position \(event.position)): \(reason)"
    }
}

/// One build of a projection: its schema and checkpoint.
public struct ProjectionGeneration: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable { case building, live }

    public var projection: String
    public var generation: Int
    public var version: Int
    public var schema: String
    public var status: Status
    /// The last event applied.
    public var position: LogPosition
    public var eventsApplied: Int64
    public var lastError: String?
    public var runner: String?
    public var updatedAt: Date
}
