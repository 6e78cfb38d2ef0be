public import Foundation

/// An event about to be appended.
public struct NewEvent: Sendable, Hashable {
    /// Chosen by the client, so a retry of the same filing is recognised and not recorded twice.
    public var id: UUID
    /// The event's type name, e.g. `AgreementDrafted`.
    public var type: String
    /// Business time: when it happened in the world, as the filer says.
    public var occurredAt: Date
    /// The event's body as a JSON object (UTF-8).
    public var data: Data
    public var metadata: EventMetadata

    public init(id: UUID = UUID(), type: String, occurredAt: Date, data: Data, metadata: EventMetadata) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.data = data
        self.metadata = metadata
    }
}
