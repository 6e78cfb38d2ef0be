import Crypto
import Foundation
import Hummingbird
import NIOCore
import ZhengsheStore

/// One filing as a client sends it: `{"type", "occurredAt", "data", "expectedVersion"?}`.
struct FilingRequest: Sendable {
    var type: String
    var occurredAt: Date
    /// The `data` object, re-serialized.
    var data: Data
    var expectedVersion: Int64?
    /// Tells a retry from another filing under the same key: see ``canonicalHash(type:occurredAt:data:)``.
    var bodyHash: String

    static let maximumBodySize = 1 << 20

    /// Reads and checks the body; every failure names the field.
    static func read(_ request: Request) async throws -> FilingRequest {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw Problem(.unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type 内容类型错误",
                          detail: "send the filing as Content-Type: application/json, not '\(contentType)'", field: "/Content-Type", rule: "json-only")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            throw Problem(.contentTooLarge, type: "body-too-large", title: "Body too large 内容过大",
                          detail: "a filing is at most 1 MiB; put large evidence in a document store and refer to it", rule: "body-size")
        }
        let bytes = Data(buffer.readableBytesView)
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
                throw Problem.badRequest(field: "", rule: "json-object", "the body must be a JSON object {\"type\", \"occurredAt\", \"data\"}")
            }
            object = parsed
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.badRequest, type: "malformed-json", title: "Malformed JSON JSON格式错误",
                          detail: "the body is not valid JSON (\(error.localizedDescription))", field: "", rule: "json")
        }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: bytes)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = "/" + (context.codingPath.first?.stringValue ?? "")
            throw Problem.badRequest(field: field, rule: "type", "\(field) has the wrong type: type and occurredAt are strings, expectedVersion a whole number")
        }
        guard let type = envelope.type, !type.isEmpty else {
            throw Problem.badRequest(field: "/type", rule: "required", "type is required: the event type, e.g. AgreementSigned (事件类型)")
        }
        guard let occurredText = envelope.occurredAt else {
            throw Problem.badRequest(field: "/occurredAt", rule: "required", "occurredAt is required: when it happened, e.g. 2026-03-31T10:00:00+08:00 (发生时间)")
        }
        guard let occurredAt = parseTimestamp(occurredText) else {
            throw Problem.badRequest(field: "/occurredAt", rule: "timestamp", "occurredAt must be an RFC 3339 time with its offset, e.g. 2026-03-31T10:00:00+08:00")
        }
        guard let data = object["data"] as? [String: Any] else {
            throw Problem.badRequest(field: "/data", rule: "required", "data is required: a JSON object with the event's fields")
        }
        if let version = envelope.expectedVersion, version < 0 {
            throw Problem.badRequest(field: "/expectedVersion", rule: "version", "expectedVersion is the stream version you read: a whole number ≥ 0")
        }
        let expected = envelope.expectedVersion
        return FilingRequest(
            type: type,
            occurredAt: occurredAt,
            data: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]),
            expectedVersion: expected,
            bodyHash: canonicalHash(type: type, occurredAt: occurredAt, data: data)
        )
    }

    /// SHA-256 over the filing's meaning (type, instant, data with sorted keys), not its bytes:
    /// a retry that serializes the same filing differently is still the same filing.
    static func canonicalHash(type: String, occurredAt: Date, data: [String: Any]) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(type)\n\(Int64((occurredAt.timeIntervalSince1970 * 1_000_000).rounded()))\n".utf8))
        hasher.update(data: (try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys])) ?? Data())
        return Array(hasher.finalize()).hexString
    }

    struct Envelope: Decodable {
        var type: String?
        var occurredAt: String?
        var expectedVersion: Int64?
    }

    /// RFC 3339, with or without fractional seconds. Format styles are values: no formatter is
    /// built per request (ISO8601DateFormatter is costly to make on Linux).
    static func parseTimestamp(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
