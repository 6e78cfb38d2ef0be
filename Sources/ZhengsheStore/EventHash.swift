import Crypto
import Foundation

/// The event hash, computed in Swift from the stored fields, independently of the SQL function
/// `event_hash` that computed it on append. Both follow one definition:
///
///     hash = SHA-256(previous hash ‖ UTF-8 of the lines
///            "zhengshe-event-v1", stream id, stream version, event id (lowercase),
///            event type, occurred-at µs, recorded-at µs, data (jsonb text), metadata (jsonb text))
enum EventHash {
    struct Fields {
        var streamID: String
        var streamVersion: Int64
        var eventID: String
        var eventType: String
        var occurredAtMicros: String
        var recordedAtMicros: String
        var data: String
        var metadata: String
    }

    static func compute(previous: [UInt8]?, _ f: Fields) -> [UInt8] {
        var hasher = SHA256()
        if let previous { hasher.update(data: previous) }
        let content = [
            "zhengshe-event-v1", f.streamID, String(f.streamVersion), f.eventID, f.eventType,
            f.occurredAtMicros, f.recordedAtMicros, f.data, f.metadata,
        ].joined(separator: "\n")
        hasher.update(data: Data(content.utf8))
        return Array(hasher.finalize())
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal, as people compare hashes.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
