import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ZhengsheDomain

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

    /// What the generated decoder would let through to a 500 or name no field for: a key given
    /// twice, a NUL character (PostgreSQL's jsonb cannot hold one) and an `expectedVersion` that
    /// is not a whole number in range.
    static func check(_ object: [String: Any], _ bytes: Data) throws {
        switch BodyScan.first(in: bytes) {
        case .duplicateKey(let field):
            throw Problem.badRequest(field: field, rule: "duplicate-key", "\(field) is given twice; give each field once (字段重复)")
        case .nul(let field):
            throw Problem.badRequest(field: field, rule: "text", "\(field) contains a NUL character (U+0000), which no text may hold (文本含非法字符)")
        case nil:
            break
        }
        if let version = object["expectedVersion"], !(version is NSNull), (version as? Int).map({ $0 < 0 }) ?? true {
            throw Problem.badRequest(field: "/expectedVersion", rule: "type",
                                     "expectedVersion is the stream version read, a whole number from 0 to \(Int64.max) (版本号须为非负整数)")
        }
    }
}

/// Finds, in one pass over a body already known to be valid JSON, the first object key given
/// twice (a parser keeps one of them silently, and which one differs between parsers) and the
/// first key or string holding U+0000 (which JSON can only write as `\u0000`). The field's JSON
/// pointer is only put together for what is found: a clean body costs a walk over its bytes.
enum BodyScan {
    enum Finding: Equatable {
        case duplicateKey(field: String)
        case nul(field: String)
    }

    /// What is found first, in the order of the body (a NUL before a later duplicate key, and the
    /// other way round).
    static func first(in data: Data) -> Finding? {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // a byte-order mark the parser accepts
            guard let (kind, path) = value(bytes, &i) else { return nil }
            // The pointer's tokens come innermost first, as the walk unwinds.
            let field = path.reversed().map { "/" + $0 }.joined()
            return kind == .duplicate ? .duplicateKey(field: field) : .nul(field: field)
        }
    }

    private enum Kind { case duplicate, nul }
    private typealias Found = (kind: Kind, path: [String])

    private static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    /// A string token from its opening quote: where its text lies (escapes as written), and
    /// whether it holds `\u0000`.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> (text: Range<Int>, escaped: Bool, nul: Bool) {
        let start = i + 1
        i += 1
        var escaped = false
        var nul = false
        while i < b.count, b[i] != 0x22 {
            if b[i] == 0x5C {
                escaped = true
                // `\u0000`: the escape's four hex digits are all zero.
                if i + 5 < b.count, b[i + 1] == 0x75, b[i + 2] == 0x30, b[i + 3] == 0x30, b[i + 4] == 0x30, b[i + 5] == 0x30 { nul = true }
                i += 2
            } else {
                i += 1
            }
        }
        defer { i += 1 }
        return (start..<min(i, b.count), escaped, nul)
    }

    /// A key as the parser reads it: "summ\u0061ry" is "summary".
    private static func decodedKey(_ b: UnsafeBufferPointer<UInt8>, _ text: Range<Int>, escaped: Bool) -> String {
        let written = String(decoding: UnsafeBufferPointer(rebasing: b[text]), as: UTF8.self)
        guard escaped else { return written }
        return (try? JSONSerialization.jsonObject(with: Data("\"\(written)\"".utf8), options: .fragmentsAllowed)) as? String ?? written
    }

    private static func value(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Found? {
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
                let (text, escaped, nul) = string(b, &i)
                let key = decodedKey(b, text, escaped: escaped)
                if nul { return (.nul, [EventJSON.escape(key)]) }
                guard seen.insert(key).inserted else { return (.duplicate, [EventJSON.escape(key)]) }
                skipSpace(b, &i)
                i += 1  // :
                if var found = value(b, &i) {
                    found.path.append(EventJSON.escape(key))
                    return found
                }
            }
        case 0x5B:  // [
            i += 1
            var index = 0
            while true {
                skipSpace(b, &i)
                guard i < b.count, b[i] != 0x5D else { i += 1; return nil }
                if b[i] == 0x2C { i += 1; index += 1; continue }
                if var found = value(b, &i) {
                    found.path.append(String(index))
                    return found
                }
            }
        case 0x22:
            return string(b, &i).nul ? (.nul, []) : nil
        default:
            // A number, true, false or null: up to the next delimiter.
            while i < b.count {
                switch b[i] {
                case 0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09: return nil
                default: i += 1
                }
            }
            return nil
        }
    }
}
