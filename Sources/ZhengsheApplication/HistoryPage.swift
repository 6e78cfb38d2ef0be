public import Foundation
import ZhengsheStore

/// A page of a stream's events with their hashes, as its history shows them.
public struct HistoryPage: Sendable {
    public struct Event: Sendable {
        public var eventID: UUID
        public var type: String
        public var streamVersion: Int64
        public var globalPosition: Int64
        public var occurredAt: Date
        public var recordedAt: Date
        /// The event's body, JSON.
        public var data: Data
        public var filedBy: FiledBy
        public var previousHash: String?
        public var hash: String
    }

    /// Who filed an event and in answer to what.
    public struct FiledBy: Sendable {
        public var actor: String
        public var role: String
        public var party: String
        public var requestID: String?
        public var idempotencyKey: String?
        /// SHA-256 of the filing's meaning, which tells a retry from another filing under the same key.
        public var requestHash: String?
        public var correlationID: UUID?
        public var causationID: UUID?
    }

    public var events: [Event]
    /// The version to read the next page from, when there may be more.
    public var nextVersion: Int64?

    /// The most events a page holds.
    public static let maximumLimit = 1000

    static func read(_ stream: StreamID, store: PostgresEventStore, from version: Int64, limit: Int) async throws -> HistoryPage {
        guard version >= 1 else { throw ApplicationError.badRequest(field: "/from", rule: "paging", message: "from is a stream version, 1 or more (起始版本)") }
        guard (1...maximumLimit).contains(limit) else {
            throw ApplicationError.badRequest(field: "/limit", rule: "paging", message: "limit is 1 to \(maximumLimit) events per page (每页条数)")
        }
        let recorded = try await ApplicationError.mapping { try await store.readStream(stream, from: version, limit: limit) }
        return HistoryPage(
            events: recorded.map { event in
                Event(
                    eventID: event.id, type: event.type, streamVersion: event.streamVersion, globalPosition: event.position.globalPosition,
                    occurredAt: event.occurredAt, recordedAt: event.recordedAt, data: Data(event.data.utf8),
                    filedBy: FiledBy(actor: event.metadata.actor, role: event.metadata.role, party: event.metadata.party,
                                     requestID: event.metadata.requestId, idempotencyKey: event.metadata.idempotencyKey, requestHash: event.metadata.requestHash,
                                     correlationID: event.metadata.correlationId, causationID: event.metadata.causationId),
                    previousHash: event.previousHash?.hexString, hash: event.hash.hexString)
            },
            nextVersion: recorded.count == limit ? (recorded.last?.streamVersion ?? version) + 1 : nil)
    }
}
