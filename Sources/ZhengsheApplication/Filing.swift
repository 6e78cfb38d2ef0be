public import Foundation
public import ZhengsheDomain
import Crypto
import ZhengsheStore

/// One filing as an adapter hands it to the application: the event type, business time, the
/// event body as JSON, and how the filer wants it treated (pinned version, retry key).
public struct Filing: Sendable {
    public var type: String
    public var occurredAt: Date
    /// The `data` object as JSON bytes. Canonical (keys sorted, no spaces, as `APIJSON`'s and
    /// `EventJSON`'s encoders write it) for ``meaningHash`` to see through how a client wrote it.
    public var data: Data
    public var pin: VersionPin?
    /// The client's `Idempotency-Key`: a retry with it answers the first answer.
    public var idempotencyKey: String?
    /// The request that carries the filing (HTTP `X-Request-Id`, or a command run's id).
    public var requestID: String

    public init(type: String, occurredAt: Date, data: Data, pin: VersionPin? = nil, idempotencyKey: String? = nil, requestID: String) {
        self.type = type
        self.occurredAt = occurredAt
        self.data = data
        self.pin = pin
        self.idempotencyKey = idempotencyKey
        self.requestID = requestID
    }

    /// SHA-256 over the filing's meaning (type, instant to the microsecond, data), not its bytes: a
    /// retry that serializes the same filing differently is still the same filing. `data` is hashed
    /// as given, for the adapters hand it over canonical: keys sorted, no spaces (the generated
    /// body's data written by `APIJSON`'s encoder, an event's by `EventJSON`'s).
    public var meaningHash: String {
        var hasher = meaningHasher()
        hasher.update(data: data)
        return Array(hasher.finalize()).hexString
    }

    /// The meaning hash as versions before 2026-12-03 worked it out, re-serializing `data` with
    /// `JSONSerialization`'s sorted keys (a tenth of a filing's CPU): a retry of a filing first
    /// made by them is still recognised. The reverse does not hold: those versions do not know
    /// ``meaningHash``, so instances of both must not serve filings side by side (stop the old,
    /// then start the new, as `deploy/` does).
    public var legacyMeaningHash: String {
        var hasher = meaningHasher()
        let object = try? JSONSerialization.jsonObject(with: data)
        hasher.update(data: object.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? data)
        return Array(hasher.finalize()).hexString
    }

    /// Both hashes begin with the type and the instant to the microsecond.
    private func meaningHasher() -> SHA256 {
        var hasher = SHA256()
        hasher.update(data: Data("\(type)\n\(Int64((occurredAt.timeIntervalSince1970 * 1_000_000).rounded()))\n".utf8))
        return hasher
    }
}

/// What a request's events record of it (``EventMetadata/requestHash``), and how a retry is told
/// from another request that reuses its idempotency key.
struct RequestHash: Sendable {
    /// Recorded with the events.
    let recorded: String
    /// What an earlier version recorded for the same request; worked out only when needed.
    let legacy: @Sendable () -> String

    init(_ filing: Filing) {
        recorded = filing.meaningHash
        legacy = { filing.legacyMeaningHash }
    }

    /// For filings made together: over each one's hash in turn.
    init(together filings: [Filing]) {
        recorded = Self.combined(filings.map(\.meaningHash))
        legacy = { Self.combined(filings.map(\.legacyMeaningHash)) }
    }

    /// Whether `hash`, recorded with a request's events, was recorded for this request.
    func matches(_ hash: String?) -> Bool {
        guard let hash else { return false }
        return hash == recorded || hash == legacy()
    }

    private static func combined(_ hashes: [String]) -> String {
        var hasher = SHA256()
        for hash in hashes { hasher.update(data: Data(hash.utf8)) }
        return Array(hasher.finalize()).hexString
    }
}

/// What a filing recorded (or, for a retry, what its first attempt recorded).
public struct FilingOutcome: Sendable, Hashable {
    public struct Event: Sendable, Hashable {
        public var eventID: UUID
        public var type: String
        public var streamVersion: Int64
        public var globalPosition: Int64
        public var recordedAt: Date
        /// SHA-256 of the event in its stream's chain, lowercase hex.
        public var hash: String
    }

    public var stream: String
    public var events: [Event]
    public var streamVersion: Int64
    /// True when the idempotency key had been used for this filing before: nothing new was written.
    public var replayed: Bool
    /// What the filing did not break but a later step will refuse, each with its field: for a
    /// proposal of terms, what would stop them being signed (签署前须解决). Nil when the filing
    /// leads to no such step.
    public var signingBlockers: [DomainError]? = nil
    /// The global position of the last event: a reader that has seen it has seen this filing.
    public var globalPosition: Int64 { events.last?.globalPosition ?? 0 }
}
