import Foundation

/// A CSV table as Excel reads Chinese text: UTF-8 with a byte-order mark, CRLF line ends, each
/// header "field 中文", fields quoted when they hold a comma, a quote or a line break (RFC 4180),
/// and text that Excel would run as a formula prefixed with an apostrophe.
public struct CSVTable: Sendable {
    public let columns: [(field: String, chinese: String)]
    private(set) var rows: [[String]] = []

    public init(columns: [(String, String)]) {
        self.columns = columns.map { (field: $0.0, chinese: $0.1) }
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a CSV row has one value per column")
        rows.append(row)
    }

    public var text: String {
        let header = columns.map { Self.quoted("\($0.field) \($0.chinese)") }.joined(separator: ",")
        return "\u{FEFF}" + ([header] + rows.map { $0.map(Self.quoted).joined(separator: ",") }).map { $0 + "\r\n" }.joined()
    }

    static func quoted(_ value: String) -> String {
        // A text cell that Excel would take for a formula is kept as text (CSV injection).
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
