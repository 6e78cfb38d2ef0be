import Foundation
import HTTPTypes
import Testing
import Yams
import ZhengsheAPI

/// A JSON value as the contract sees it: integers and numbers apart, booleans apart from both.
indirect enum JSONValue: Decodable, Sendable, CustomStringConvertible {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var string: String? { if case .string(let v) = self { v } else { nil } }
    var strings: [String]? { if case .array(let v) = self { v.compactMap(\.string) } else { nil } }
    var members: [String: JSONValue]? { if case .object(let v) = self { v } else { nil } }
    var integer: Int64? { if case .integer(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }

    /// The plain Foundation value, for tests that read documents as dictionaries.
    var any: Any {
        switch self {
        case .null: NSNull()
        case .bool(let v): v
        case .integer(let v): Int(v)
        case .number(let v): v
        case .string(let v): v
        case .array(let v): v.map(\.any)
        case .object(let v): v.mapValues(\.any)
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let v): "\(v)"
        case .integer(let v): "\(v)"
        case .number(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .array(let v): "[\(v.count) items]"
        case .object(let v): "{\(v.keys.sorted().joined(separator: ","))}"
        }
    }
}

/// Checks responses against `openapi.yaml`: the operation exists, the status is one it documents,
/// the content type is the documented one, and the body fits the schema (a JSON Schema subset:
/// `$ref`, `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `format`,
/// `minimum`, `maximum`, `pattern`). Every response the API tests see goes through it.
struct ContractValidator: Sendable {
    static let shared = ContractValidator()

    /// The document, read once from the text the binary serves.
    let root: JSONValue

    init() {
        let yaml = (try? Yams.load(yaml: OpenAPIDocument.text)) ?? [:]
        let json = (try? JSONSerialization.data(withJSONObject: yaml)) ?? Data("{}".utf8)
        root = (try? JSONDecoder().decode(JSONValue.self, from: json)) ?? .object([:])
    }

    var document: [String: Any] { root.any as? [String: Any] ?? [:] }
    var schemas: [String: Any] { (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:] }
    var paths: [String: [String: Any]] { document["paths"] as? [String: [String: Any]] ?? [:] }

    /// The documented path template that `path` matches, e.g. `/v1/agreements/{id}`.
    func template(for path: String) -> String? {
        let parts = path.split(separator: "?").first.map { $0.split(separator: "/", omittingEmptySubsequences: true) } ?? []
        return root["paths"]?.members?.keys.sorted().first { template in
            let pattern = template.split(separator: "/", omittingEmptySubsequences: true)
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// Every way `status`, `contentType` and `body` break the contract for `method path`.
    func violations(method: HTTPRequest.Method, path: String, status: Int, contentType: String?, body: Data) -> [String] {
        guard let template = template(for: path) else {
            return status == 404 ? problemViolations(contentType: contentType, body: body) : ["\(path) is not a path of the contract"]
        }
        guard let operation = root["paths"]?[template]?[method.rawValue.lowercased()] else {
            // Only unknown routes answer outside an operation, and they answer a problem.
            return status == 404 || status == 405 ? problemViolations(contentType: contentType, body: body) : ["\(method) \(template) is not an operation of the contract"]
        }
        guard let response = resolve(operation["responses"]?[String(status)]) else {
            return ["\(method) \(template) does not document status \(status)"]
        }
        let content = response["content"]?.members ?? [:]
        if content.isEmpty { return body.isEmpty ? [] : ["\(method) \(template) \(status) documents no body, but one was sent"] }
        let mediaType = contentType?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[mediaType] else {
            return ["\(method) \(template) \(status) answered \(mediaType), the contract says \(content.keys.sorted())"]
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] else { return [] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body) else { return ["\(method) \(template) \(status): the body is not JSON"] }
        return validate(value, schema, at: "").map { "\(method) \(template) \(status): \($0)" }
    }

    func problemViolations(contentType: String?, body: Data) -> [String] {
        guard contentType?.hasPrefix("application/problem+json") == true, let value = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            return ["an unknown route must answer problem+json"]
        }
        return validate(value, .object(["$ref": .string("#/components/schemas/Problem")]), at: "")
    }

    func resolve(_ node: JSONValue?) -> JSONValue? {
        guard let ref = node?["$ref"]?.string else { return node }
        var target: JSONValue? = root
        for part in ref.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
        return resolve(target)
    }

    func validate(_ value: JSONValue, _ schemaNode: JSONValue, at path: String) -> [String] {
        guard let schema = resolve(schemaNode) else { return [] }
        let at = path.isEmpty ? "/" : path
        var problems: [String] = []
        if let types = schema["type"] {
            let allowed = types.strings ?? [types.string ?? ""]
            let fits = allowed.contains { type in
                switch (type, value) {
                case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
                     ("string", .string), ("array", .array), ("object", .object): true
                default: false
                }
            }
            if !fits { return ["\(at) is \(value), not \(allowed.joined(separator: " or "))"] }
        }
        if let options = schema["enum"]?.strings, case .string(let text) = value, !options.contains(text) {
            problems.append("\(at) '\(text)' is not one of \(options)")
        }
        switch value {
        case .string(let text):
            if let format = schema["format"]?.string, !Self.fits(text, format: format) { problems.append("\(at) '\(text)' is not a \(format)") }
            if let pattern = schema["pattern"]?.string, text.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(at) '\(text)' does not match \(pattern)")
            }
        case .integer(let number):
            if let minimum = schema["minimum"]?.integer, number < minimum { problems.append("\(at) \(number) < \(minimum)") }
            if let maximum = schema["maximum"]?.integer, number > maximum { problems.append("\(at) \(number) > \(maximum)") }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { problems += validate(item, itemSchema, at: "\(path)/\(index)") }
            }
        case .object(let members):
            let properties = schema["properties"]?.members ?? [:]
            for name in schema["required"]?.strings ?? [] where members[name] == nil { problems.append("\(path)/\(name) is required") }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] {
                    problems += validate(member, property, at: "\(path)/\(name)")
                } else if let additional = schema["additionalProperties"] {
                    if let allowed = additional.bool {
                        if !allowed { problems.append("\(path)/\(name) is not in the schema") }
                    } else {
                        problems += validate(member, additional, at: "\(path)/\(name)")
                    }
                }
            }
        case .null, .bool, .number:
            break
        }
        return problems
    }

    /// RFC 3339 with a colon in the offset (or Z), calendar dates, lowercase UUIDs.
    static func fits(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time":
            text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
        case "date":
            text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
        case "uuid":
            text.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#, options: .regularExpression) != nil
        default:
            true
        }
    }
}
