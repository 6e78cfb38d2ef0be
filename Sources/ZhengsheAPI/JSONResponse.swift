import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ZhengsheStore

/// JSON bodies with the conventions of this API: sorted keys, RFC 3339 times.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }()

    static let shanghaiTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "Asia/Shanghai")!)

    /// RFC 3339 in China Standard Time, e.g. 2026-03-31T10:00:00.000+08:00.
    static func timestamp(_ date: Date) -> String { shanghaiTime.format(date) }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        body(try encoder.encode(value), status: status, headers: headers)
    }

    static func make(object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        body(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), status: status, headers: headers)
    }

    static func body(_ data: Data, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    /// Reads `If-Match: "N"` (or `N`, or `W/"N"`); nil when absent.
    static func ifMatch(_ request: Request) throws -> Int64? {
        guard let value = request.headers[.ifMatch] else { return nil }
        let trimmed = value.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard let version = Int64(trimmed), version >= 0 else {
            throw Problem.badRequest(field: "/If-Match", rule: "version", "If-Match carries the stream version as an ETag, e.g. \"4\"")
        }
        return version
    }
}

/// What a filing answers.
struct FilingResponse: Encodable {
    var stream: String
    var streamVersion: Int64
    var globalPosition: Int64
    var events: [RecordedEventSummary]
}

extension StreamFiler.Outcome {
    func response(stream: StreamID, location: String) throws -> Response {
        var headers = HTTPFields()
        headers[.eTag] = JSONResponse.etag(streamVersion)
        headers[.location] = location
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return try JSONResponse.make(
            FilingResponse(stream: stream.rawValue, streamVersion: streamVersion, globalPosition: events.last?.globalPosition ?? 0, events: events),
            status: .created, headers: headers)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}

extension Request {
    /// The `Idempotency-Key` header, checked.
    func idempotencyKey() throws -> String? {
        guard let key = headers[.idempotencyKey] else { return nil }
        guard (1...200).contains(key.utf8.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw Problem.badRequest(field: "/Idempotency-Key", rule: "idempotency-key", "Idempotency-Key is 1–200 visible ASCII characters, e.g. a UUID")
        }
        return key
    }
}

/// Events of a stream as `GET …/events` shows them, with their hashes.
enum EventPage {
    /// One page of `stream` from the request's `from` (default 1) and `limit` (1–1000, default 100);
    /// nil when the stream has no events at all.
    static func read(_ stream: StreamID, store: PostgresEventStore, request: Request, path: String) async throws -> Response? {
        let from = max(try request.uri.queryParameters.get("from", as: Int64.self) ?? 1, 1)
        let limit = min(max(try request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
        let events = try await store.readStream(stream, from: from, limit: limit)
        if events.isEmpty && from == 1 { return nil }
        let next = events.count == limit ? "\(path)?from=\(events.last!.streamVersion + 1)&limit=\(limit)" : nil
        return try make(events, next: next)
    }

    static func make(_ events: [RecordedEvent], next: String?) throws -> Response {
        let items: [[String: Any]] = try events.map { event in
            [
                "eventId": event.id.uuidString.lowercased(),
                "type": event.type,
                "streamVersion": event.streamVersion,
                "globalPosition": event.position.globalPosition,
                "occurredAt": JSONResponse.timestamp(event.occurredAt),
                "recordedAt": JSONResponse.timestamp(event.recordedAt),
                "data": try JSONSerialization.jsonObject(with: Data(event.data.utf8)),
                "metadata": try JSONSerialization.jsonObject(with: JSONResponse.encoder.encode(event.metadata)),
                "previousHash": event.previousHash.map { $0.hexString } ?? NSNull(),
                "hash": event.hash.hexString,
            ]
        }
        var body: [String: Any] = ["events": items]
        if let next { body["next"] = next }
        return try JSONResponse.make(object: body)
    }
}
