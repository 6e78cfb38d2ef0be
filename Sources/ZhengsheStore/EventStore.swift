public import Foundation

/// An append-only log of event streams.
public protocol EventStore: Sendable {
    /// Appends `events` to `stream` atomically if the stream is at `expected`.
    ///
    /// Retrying with the same event ids and content returns the first result and writes nothing.
    /// - Throws: ``EventStoreError/wrongExpectedVersion(stream:expected:actual:)`` or
    ///   ``EventStoreError/idempotencyConflict(stream:eventID:)``; nothing is written then.
    /// - Parameter barrier: record them as a barrier in the log: after every append in flight has
    ///   committed and before any that follows, so that what was recorded before them is a fixed
    ///   set (an evaluation's finalization); ``EventStoreError/busy(stream:)`` when appends in
    ///   flight hold it up too long.
    func append(to stream: StreamID, expected: ExpectedVersion, events: [NewEvent], barrier: Bool) async throws -> AppendResult

    /// The stream's events from `version` (1-based, inclusive), at most `limit` of them.
    func readStream(_ stream: StreamID, from version: Int64, limit: Int) async throws -> [RecordedEvent]

    /// The recorded events among `ids`, in stream order (for answering a retried filing).
    func events(withIDs ids: [UUID]) async throws -> [RecordedEvent]

    /// The stream's current version: 0 if it has no events.
    func version(of stream: StreamID) async throws -> Int64

    /// Events of the global log after `position`, in an order that never skips a late commit,
    /// at most `limit` of them.
    func readAll(after position: LogPosition, limit: Int) async throws -> [RecordedEvent]
}

extension EventStore {
    /// Appends `events` to `stream` atomically if the stream is at `expected`: an ordinary append,
    /// not a barrier.
    public func append(to stream: StreamID, expected: ExpectedVersion, events: [NewEvent]) async throws -> AppendResult {
        try await append(to: stream, expected: expected, events: events, barrier: false)
    }
}
