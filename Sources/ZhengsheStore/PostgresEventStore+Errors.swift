import Foundation
import PostgresNIO

extension PostgresEventStore {
    /// Maps the SQLSTATEs that `append_events` raises to ``EventStoreError``; others pass through.
    static func mapAppendError(_ error: PSQLError, stream: StreamID, expected: ExpectedVersion) -> any Error {
        guard let state = error.serverInfo?[.sqlState] else { return error }
        let detail = error.serverInfo?[.detail].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        switch state {
        case "ZS001":
            let actual = (detail?["actual"] as? NSNumber)?.int64Value ?? -1
            return EventStoreError.wrongExpectedVersion(stream: stream.rawValue, expected: expected, actual: actual)
        case "ZS002":
            let id = (detail?["eventId"] as? String).flatMap(UUID.init(uuidString:))
            return EventStoreError.idempotencyConflict(stream: stream.rawValue, eventID: id)
        case "23505":
            // Two new events with one id raced on two streams; the loser's id is taken.
            return EventStoreError.idempotencyConflict(stream: stream.rawValue, eventID: nil)
        case "55P03":
            // A barrier's lock_timeout: appends in flight held the log too long.
            return EventStoreError.busy(stream: stream.rawValue)
        case "23514", "22P02":
            return EventStoreError.invalidEvent(error.serverInfo?[.message] ?? "the event was rejected by a database check")
        default:
            return error
        }
    }
}
