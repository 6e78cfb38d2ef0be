/// A party's code in the national statistical division codes (统计用区划代码).
///
/// - district (区/县): 6 digits;
/// - street or town government (街道/镇): 9 digits, the first 6 its district's;
/// - residents' or village committee (居委会/村委会): 12 digits, the first 9 its street's or town's.
public struct PartyCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Level: Int, Sendable, Comparable {
        case district = 6
        case government = 9
        case committee = 12

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let rawValue: String
    public let level: Level

    /// Nil unless `rawValue` is 6, 9 or 12 ASCII digits.
    public init?(_ rawValue: String) {
        guard rawValue.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let level = Level(rawValue: rawValue.utf8.count)
        else { return nil }
        self.rawValue = rawValue
        self.level = level
    }

    /// The 6-digit district this code belongs to (itself for a district).
    public var district: PartyCode { PartyCode(String(rawValue.prefix(6)))! }

    /// The 9-digit street or town a committee belongs to; nil for districts and governments.
    public var government: PartyCode? { level == .committee ? PartyCode(String(rawValue.prefix(9))) : nil }

    /// True when `other` lies inside this code's area (or is this code).
    public func contains(_ other: PartyCode) -> Bool { other.rawValue.hasPrefix(rawValue) }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
