public import Foundation

/// Who filed an event and in answer to what. Stored beside every event and covered by its hash.
public struct EventMetadata: Sendable, Hashable, Codable {
    /// The token or person that filed it (an actor name, never a secret).
    public var actor: String
    /// The filer's role: `government`, `committee`, `district`, `evaluator`, `admin`, `system`.
    public var role: String
    /// The filer's party code: 9 digits for a street/town government, 12 for a committee,
    /// 6 for a district bureau; empty for `admin` and `system`.
    public var party: String
    /// Groups the events of one piece of work across streams.
    public var correlationId: UUID?
    /// The event or command that caused this one.
    public var causationId: UUID?
    /// The HTTP request (or command run) that filed it.
    public var requestId: String?
    /// The client's idempotency key, when it gave one.
    public var idempotencyKey: String?
    /// SHA-256 (hex) of the filing as the client sent it, so a retry with the same key can be
    /// told from a different filing that reuses the key.
    public var requestHash: String?

    public init(
        actor: String,
        role: String,
        party: String = "",
        correlationId: UUID? = nil,
        causationId: UUID? = nil,
        requestId: String? = nil,
        idempotencyKey: String? = nil,
        requestHash: String? = nil
    ) {
        self.actor = actor
        self.role = role
        self.party = party
        self.correlationId = correlationId
        self.causationId = causationId
        self.requestId = requestId
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
    }
}
