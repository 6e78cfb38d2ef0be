public import Foundation

/// A calendar date in China Standard Time (Asia/Shanghai), written `yyyy-MM-dd`.
///
/// Due dates, installment dates and deadlines are dates, not instants: a report due on 2026-03-31
/// is on time until midnight in Shanghai, wherever the server runs.
public struct LocalDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = LocalDate.timeZone
        return calendar
    }()

    /// Nil unless the date exists (no 2026-02-30): the Gregorian calendar's months and leap years.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date in Shanghai at `instant`.
    public init(_ instant: Date) {
        let c = Self.calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Midnight at the start of this date in Shanghai.
    public var start: Date { Self.calendar.date(from: DateComponents(year: year, month: month, day: day))! }

    public func adding(days: Int) -> LocalDate { LocalDate(Self.calendar.date(byAdding: .day, value: days, to: start)!) }

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `yyyy-MM-dd`. Written digit by digit: reports write hundreds of thousands of dates.
    public var description: String {
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 10)
        func put(_ value: Int, at end: Int, width: Int) {
            var value = value
            for i in stride(from: end, to: end - width, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, at: 3, width: 4)
        bytes[4] = UInt8(ascii: "-")
        put(month, at: 6, width: 2)
        bytes[7] = UInt8(ascii: "-")
        put(day, at: 9, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date (yyyy-MM-dd)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
