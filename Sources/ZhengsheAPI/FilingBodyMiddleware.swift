import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// A filing is JSON of at most 1 MiB: checked before the generated code reads the body, which
/// would read any size and accept a missing content type.
struct FilingBodyMiddleware: RouterMiddleware {
    static let maximumBodySize = 1 << 20

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, request.uri.path.hasSuffix("/events") else { return try await next(request, context) }
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" else {
            throw Problem(.unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type 内容类型错误",
                          detail: "send the filing as Content-Type: application/json, not '\(contentType)' (请以JSON提交)", field: "/Content-Type", rule: "json-only")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumBodySize)
        } catch {
            throw Problem(.contentTooLarge, type: "body-too-large", title: "Body too large 内容过大",
                          detail: "a filing is at most 1 MiB; put large evidence in a document store and refer to it (内容超过1MiB)", field: "", rule: "body-size")
        }
        let bytes = Data(body.readableBytesView)
        // JSON's text is UTF-8 (RFC 8259); the parser would take UTF-16 and UTF-32 as well.
        if bytes.prefix(4).contains(0) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw Problem(.unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type 内容类型错误",
                          detail: "send the filing as JSON in UTF-8, not UTF-16 or UTF-32 (请使用UTF-8编码)", field: "", rule: "utf-8")
        }
        do {
            if let object = try JSONSerialization.jsonObject(with: bytes) as? [String: Any] { try Self.check(object, bytes) }
        } catch let error as Problem {
            throw error
        } catch {
            throw Problem(.badRequest, type: "malformed-json", title: "Malformed JSON JSON格式错误",
                          detail: "the body is not valid JSON: \(Self.where(error, in: bytes)); a filing is {\"type\", \"occurredAt\", \"data\"} (JSON格式错误)",
                          field: "", rule: "json")
        }
        return try await next(request, context)
    }

    /// The parser's complaint with its place as a line and column, e.g. `Invalid value around
    /// character 8 (line 1, column 9)`.
    static func `where`(_ error: any Error, in bytes: Data) -> String {
        let said = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "unreadable").trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard let range = said.range(of: "character "), let offset = Int(said[range.upperBound...].prefix { $0.isNumber }) else { return said }
        // Lines end at LF bytes (CRLF too); the column counts characters after the last one.
        let before = bytes.prefix(offset)
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lastLine = before.lastIndex(of: 0x0A).map { before[before.index(after: $0)...] } ?? before[...]
        let column = String(decoding: lastLine, as: UTF8.self).unicodeScalars.count + 1
        return "\(said) (line \(line), column \(column))"
    }

    /// What the generated decoder would let through to a 500 or name no field for: a NUL
    /// character (PostgreSQL's jsonb cannot hold one) and an `expectedVersion` that is not a
    /// whole number in range.
    static func check(_ object: [String: Any], _ bytes: Data) throws {
        if let field = DuplicateKeys.first(in: Array(bytes)) {
            throw Problem.badRequest(field: field, rule: "duplicate-key", "\(field) is given twice; give each field once (字段重复)")
        }
        if let field = nulField(object, at: "") {
            throw Problem.badRequest(field: field, rule: "text", "\(field) contains a NUL character (U+0000), which no text may hold (文本含非法字符)")
        }
        if let version = object["expectedVersion"], !(version is NSNull), (version as? Int).map({ $0 < 0 }) ?? true {
            throw Problem.badRequest(field: "/expectedVersion", rule: "type",
                                     "expectedVersion is the stream version read, a whole number from 0 to \(Int64.max) (版本号须为非负整数)")
        }
    }

    /// The JSON pointer of the first key or string holding U+0000.
    static func nulField(_ value: Any, at path: String) -> String? {
        if let text = value as? String { return text.contains("\u{0}") ? path : nil }
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                let field = path + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                if key.contains("\u{0}") { return field }
                if let found = nulField(object[key]!, at: field) { return found }
            }
        }
        if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                if let found = nulField(element, at: "\(path)/\(index)") { return found }
            }
        }
        return nil
    }
}

/// Finds an object key given twice in a body already known to be valid JSON (a parser keeps one
/// of them silently, and which one differs between parsers).
enum DuplicateKeys {
    /// The JSON pointer of the first key given twice in its object, if any.
    static func first(in bytes: [UInt8]) -> String? {
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // a byte-order mark the parser accepts
        return value(bytes, &i, "")
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    /// A string token from its opening quote; the key as written (escapes left as they are).
    private static func string(_ b: [UInt8], _ i: inout Int) -> String {
        let start = i + 1
        i += 1
        while i < b.count, b[i] != 0x22 { i += b[i] == 0x5C ? 2 : 1 }
        defer { i += 1 }
        return String(decoding: b[start..<min(i, b.count)], as: UTF8.self)
    }

    private static func value(_ b: [UInt8], _ i: inout Int, _ path: String) -> String? {
        skipSpace(b, &i)
        guard i < b.count else { return nil }
        switch b[i] {
        case 0x7B:  // {
            i += 1
            var seen = Set<String>()
            while true {
                skipSpace(b, &i)
                guard i < b.count, b[i] != 0x7D else { i += 1; return nil }
                if b[i] == 0x2C { i += 1; continue }
                let written = string(b, &i)
                // The key as the parser reads it: "summ\u0061ry" is "summary".
                let key = written.contains("\\")
                    ? (try? JSONSerialization.jsonObject(with: Data("\"\(written)\"".utf8), options: .fragmentsAllowed)) as? String ?? written : written
                let field = path + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                guard seen.insert(key).inserted else { return field }
                skipSpace(b, &i)
                i += 1  // :
                if let found = value(b, &i, field) { return found }
            }
        case 0x5B:  // [
            i += 1
            var index = 0
            while true {
                skipSpace(b, &i)
                guard i < b.count, b[i] != 0x5D else { i += 1; return nil }
                if b[i] == 0x2C { i += 1; index += 1; continue }
                if let found = value(b, &i, "\(path)/\(index)") { return found }
            }
        case 0x22:
            _ = string(b, &i)
            return nil
        default:
            while i < b.count, ![0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 }
            return nil
        }
    }
}
