/// A reporting period: `2026-03` (month), `2026-Q1` (quarter), `2026-H1` (half year) or `2026`.
public struct ReportingPeriod: Hashable, Sendable {
    public let start: LocalDate
    public let end: LocalDate

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 4, let year = Int(first) else { return nil }
        let firstMonth: Int
        let months: Int
        switch parts.count {
        case 1:
            (firstMonth, months) = (1, 12)
        case 2 where parts[1].count == 2 && parts[1].first == "Q":
            guard let q = Int(parts[1].dropFirst()), (1...4).contains(q) else { return nil }
            (firstMonth, months) = ((q - 1) * 3 + 1, 3)
        case 2 where parts[1].count == 2 && parts[1].first == "H":
            guard let h = Int(parts[1].dropFirst()), (1...2).contains(h) else { return nil }
            (firstMonth, months) = ((h - 1) * 6 + 1, 6)
        case 2 where parts[1].count == 2:
            guard let m = Int(parts[1]), (1...12).contains(m) else { return nil }
            (firstMonth, months) = (m, 1)
        default:
            return nil
        }
        guard let start = LocalDate(year: year, month: firstMonth, day: 1) else { return nil }
        let next = firstMonth + months > 12
            ? LocalDate(year: year + 1, month: 1, day: 1) : LocalDate(year: year, month: firstMonth + months, day: 1)
        guard let next else { return nil }
        self.start = start
        self.end = next.adding(days: -1)
    }
}
