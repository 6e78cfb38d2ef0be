public import Foundation

/// Events as the log stores them: a type name and a JSON body, through one coding table per
/// stream (``EventCoding``), so that a new event type is added in one place.
public protocol StreamEvent: Sendable, Hashable {
    /// The stream's table: type name ↔ case ↔ coder.
    static var coding: EventCoding<Self> { get }
}

extension StreamEvent {
    /// The stored type name, e.g. `AgreementSigned`.
    public var typeName: String { Self.coding.coder(for: self).typeName }

    /// The body as JSON (keys sorted).
    public func encodedData() throws -> Data { try Self.coding.coder(for: self).encode(self) }

    /// Reads a stored event; trusts its shape (the log holds only what was decided).
    /// - Throws: ``EventDecodingError``.
    public static func decode(typeName: String, data: Data) throws(EventDecodingError) -> Self {
        try coding.coder(named: typeName).decode(data)
    }

    /// Reads a filing strictly: besides the checks of ``decode(typeName:data:)``, a field the type
    /// does not have is refused (a misspelt optional field would otherwise be lost), and so is a
    /// field the service fills in.
    /// - Throws: ``EventDecodingError``.
    public static func decodeFiling(typeName: String, data: Data) throws(EventDecodingError) -> Self {
        let coder = try coding.coder(named: typeName)
        let event = try coder.decode(data)
        // Encoding what was just decoded cannot fail: every body is plain Codable data.
        let known = (try? coder.encode(event)) ?? Data()
        try EventJSON.requireKnownFields(data, decodedAs: known, readOnly: coder.readOnly)
        return event
    }

    /// Every type name this stream accepts, in the table's order.
    public static var typeNames: [String] { coding.coders.map(\.typeName) }
}

public enum EventDecodingError: Error, Hashable, Sendable {
    /// No event of this type exists on the stream.
    case unknownType(String)
    /// The body does not fit the type: the JSON pointer of the field and why.
    case invalidData(field: String, reason: String)
}

/// One row of a stream's coding table: a type name, how to make the case from its body, and how
/// to find the body in the case.
public struct EventCoder<Event: Sendable>: Sendable {
    public let typeName: String
    /// Fields the service fills in; a filing that sets them is refused.
    public let readOnly: Set<String>
    let decodeBody: @Sendable (Data) throws(EventDecodingError) -> Event
    let encodeBody: @Sendable (Event) throws -> Data?
    let isCase: @Sendable (Event) -> Bool

    /// - Parameters:
    ///   - embed: the case constructor, e.g. `AgreementEvent.signed`.
    ///   - extract: the case's body, or nil for another case.
    public init<Body: Codable & Sendable>(
        _ typeName: String, _ body: Body.Type, readOnly: Set<String> = [],
        embed: @escaping @Sendable (Body) -> Event, extract: @escaping @Sendable (Event) -> Body?
    ) {
        self.typeName = typeName
        self.readOnly = readOnly
        decodeBody = { (data) throws(EventDecodingError) in embed(try EventJSON.decode(Body.self, data)) }
        encodeBody = { event in try extract(event).map { try EventJSON.encoder.encode($0) } }
        isCase = { extract($0) != nil }
    }

    func decode(_ data: Data) throws(EventDecodingError) -> Event { try decodeBody(data) }

    func encode(_ event: Event) throws -> Data {
        guard let data = try encodeBody(event) else { preconditionFailure("\(typeName)'s coder was given another case") }
        return data
    }
}

/// A stream's coding table.
public struct EventCoding<Event: Sendable>: Sendable {
    public let coders: [EventCoder<Event>]
    private let byName: [String: Int]

    public init(_ coders: [EventCoder<Event>]) {
        self.coders = coders
        byName = Dictionary(uniqueKeysWithValues: coders.enumerated().map { ($1.typeName, $0) })
    }

    public func coder(named typeName: String) throws(EventDecodingError) -> EventCoder<Event> {
        guard let index = byName[typeName] else { throw .unknownType(typeName) }
        return coders[index]
    }

    /// The row of `event`'s case. Every case has a row: a test walks them all.
    public func coder(for event: Event) -> EventCoder<Event> {
        guard let coder = coders.first(where: { $0.isCase(event) }) else { preconditionFailure("\(event) has no row in its coding table") }
        return coder
    }
}

/// The JSON conventions of event bodies: keys sorted, slashes unescaped, field errors as JSON pointers.
public enum EventJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(EventDecodingError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidData(field: pointer(context.codingPath + [key]), reason: "is required (必填)")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw .invalidData(field: pointer(context.codingPath), reason: "must be \(describe(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw .invalidData(field: pointer(context.codingPath), reason: "must be \(describe(expected)), not null")
        } catch let DecodingError.dataCorrupted(context) {
            // The decoder names no field for a number its type cannot hold (a fraction of a fen,
            // beyond 64 bits): find the number that makes the difference.
            if context.codingPath.isEmpty, let field = unrepresentableNumber(type, data) {
                throw .invalidData(field: field, reason: "must be a whole number from \(Int64.min) to \(Int64.max); money is in fen (金额以分为单位的整数)")
            }
            throw .invalidData(field: pointer(context.codingPath), reason: context.debugDescription)
        } catch {
            throw .invalidData(field: "/data", reason: "is not a JSON object of this event type")
        }
    }

    /// The first number in `data` that has a fraction or lies beyond 64 bits and without which
    /// (set to 0) `data` decodes as `type`: the field the decoder could not read.
    static func unrepresentableNumber<T: Decodable>(_ type: T.Type, _ data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        var candidates: [[Any]] = []
        func walk(_ value: Any, _ path: [Any]) {
            if let object = value as? [String: Any] {
                for key in object.keys.sorted() { walk(object[key]!, path + [key]) }
            } else if let array = value as? [Any] {
                for (index, element) in array.enumerated() { walk(element, path + [index]) }
            } else if value is NSNumber, !(value is Bool), value as? Int64 == nil {
                candidates.append(path)
            }
        }
        walk(root, [])
        // Each try decodes the whole body again: a handful, not one per number of a crafted body.
        candidates = Array(candidates.prefix(16))
        func replacing(_ value: Any, _ path: ArraySlice<Any>) -> Any {
            guard let step = path.first else { return 0 }
            if let key = step as? String, var object = value as? [String: Any] {
                object[key] = replacing(object[key]!, path.dropFirst())
                return object
            }
            if let index = step as? Int, var array = value as? [Any] {
                array[index] = replacing(array[index], path.dropFirst())
                return array
            }
            return value
        }
        for path in candidates {
            guard let fixed = try? JSONSerialization.data(withJSONObject: replacing(root, path[...])) else { continue }
            if (try? JSONDecoder().decode(type, from: fixed)) != nil {
                return "/data" + path.map { "/" + (($0 as? Int).map(String.init) ?? escape($0 as! String)) }.joined()
            }
        }
        return nil
    }

    /// Refuses any field of `data` that the decoded value does not have. `decoded` is the value
    /// encoded again: a field the type knows comes back (an explicit null for an absent optional
    /// field is the only one that may not), an unknown one does not.
    static func requireKnownFields(_ data: Data, decodedAs decoded: Data, readOnly: Set<String>) throws(EventDecodingError) {
        guard let given = try? JSONSerialization.jsonObject(with: data), let known = try? JSONSerialization.jsonObject(with: decoded) else { return }
        if let object = given as? [String: Any] {
            for key in object.keys.sorted() where readOnly.contains(key) && !(object[key] is NSNull) {
                throw .invalidData(field: "/data/\(escape(key))", reason: "is filled in by the service; leave it out (由系统填写，请勿提交)")
            }
        }
        if let unknown = firstUnknown(given, known) {
            throw .invalidData(field: "/data" + unknown.reversed().map { "/" + $0 }.joined(),
                               reason: "is not a field of this event type; check its spelling (无此字段)")
        }
    }

    /// The JSON pointer's tokens, innermost first, of the first field in `given` that `known`
    /// lacks (a null stands for leaving a field out); put together only for what is found.
    private static func firstUnknown(_ given: Any, _ known: Any) -> [String]? {
        if let object = given as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                let value = object[key]!
                guard let knownValue = knownObject[key] else {
                    if value is NSNull { continue }
                    return [escape(key)]
                }
                if var found = firstUnknown(value, knownValue) {
                    found.append(escape(key))
                    return found
                }
            }
        } else if let array = given as? [Any], let knownArray = known as? [Any] {
            for (index, element) in array.enumerated() where index < knownArray.count {
                if var found = firstUnknown(element, knownArray[index]) {
                    found.append(String(index))
                    return found
                }
            }
        }
        return nil
    }

    /// A JSON pointer's escaping of one key (RFC 6901): the one escaping of every field named in a
    /// problem, wherever it was found.
    public static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func pointer(_ path: [any CodingKey]) -> String {
        "/data" + path.map { "/" + ($0.intValue.map(String.init) ?? escape($0.stringValue)) }.joined()
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)".contains("Array") ? "an array" : "an object"
        }
    }
}
