/// The name of one event stream: a category, a dash, and an id within it
/// (`agreement-320412001001-2026`, `catalogue-320412-2026`).
///
/// The database checks the same shape; checking here gives the caller a clear error first.
public struct StreamID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// - Throws: ``EventStoreError/invalidStreamID(_:)`` unless the name is a lowercase category,
    ///   a dash and 1–200 letters, digits or `._:-`.
    public init(_ rawValue: String) throws(EventStoreError) {
        guard Self.isValid(rawValue) else { throw .invalidStreamID(rawValue) }
        self.rawValue = rawValue
    }

    /// A stream in `category` with the given id, e.g. `StreamID(category: "agreement", id: "…")`.
    public init(category: String, id: String) throws(EventStoreError) {
        try self.init("\(category)-\(id)")
    }

    /// The part before the first dash: `agreement`, `catalogue`, …
    public var category: String { String(rawValue.prefix { $0 != "-" }) }

    public var description: String { rawValue }

    static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")), dash > 0 else { return false }
        let category = bytes[..<dash]
        let id = bytes[(dash + 1)...]
        guard let first = category.first, isLower(first), category.allSatisfy({ isLower($0) || isDigit($0) }) else { return false }
        guard let idFirst = id.first, isAlnum(idFirst), id.count <= 200 else { return false }
        return id.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-") }
    }

    private static func isLower(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private static func isAlnum(_ c: UInt8) -> Bool {
        isLower(c) || isDigit(c) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }
}
