/// A filing the rules refuse: which rule, which field (a JSON pointer into the filing), and what
/// to do about it, with the Chinese term a clerk knows.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The filing breaks a rule of the agreement or the lists.
        case ruleBroken
        /// The filer may not file this (wrong party or role).
        case forbidden
        /// The filing names something that does not exist (an item, a report, a claim).
        case notFound
    }

    public var kind: Kind
    /// A short stable name, e.g. `funding-follows-task`.
    public var rule: String
    /// JSON pointer into the filing, e.g. `/data/items/3/funding`.
    public var field: String
    public var message: String

    public init(_ kind: Kind = .ruleBroken, rule: String, field: String, _ message: String) {
        self.kind = kind
        self.rule = rule
        self.field = field
        self.message = message
    }

    public var description: String { "\(rule) at \(field): \(message)" }
}
