import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore

/// An RFC 9457 problem detail, sent as `application/problem+json`.
///
/// `field` is a JSON pointer to what was wrong, `rule` names the rule broken; the message says,
/// with the Chinese term, what a clerk can do about it.
public struct Problem: Error, Sendable, Encodable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String
    public var field: String?
    public var rule: String?
    /// Extra members (a conflict's actual version, …).
    public var extensions: [String: String] = [:]

    public init(
        _ status: HTTPResponse.Status, type: String, title: String, detail: String,
        field: String? = nil, rule: String? = nil, extensions: [String: String] = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.field = field
        self.rule = rule
        self.extensions = extensions
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode("/problems/\(type)", forKey: .init("type"))
        try container.encode(title, forKey: .init("title"))
        try container.encode(Int(status.code), forKey: .init("status"))
        try container.encode(detail, forKey: .init("detail"))
        try container.encodeIfPresent(field, forKey: .init("field"))
        try container.encodeIfPresent(rule, forKey: .init("rule"))
        for (key, value) in extensions { try container.encode(value, forKey: .init(key)) }
    }

    struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension Problem: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(self)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
