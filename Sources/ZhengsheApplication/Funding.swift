public import Foundation
public import ZhengsheDomain
public import ZhengsheProjections
import ZhengsheStore

/// The funding ledger (经费台账) for a district, a street or an agreement, with the access rules of
/// the write side: a committee sees its own agreement, a government its street, the district
/// bureau and its evaluators (of that year) the district; anyone else is told it does not exist.
public struct Funding: Sendable {
    let ledger: FundingLedger
    let readSide: ReadSide
    let clock: @Sendable () -> Date

    /// What to read, and as of when.
    public struct Query: Sendable {
        public var year: Int
        /// Business date: what had happened by the end of that day. Today when nil.
        public var asOf: LocalDate?
        /// Audit time: only what had been recorded by then. Now when nil.
        public var knownAt: Date?
        /// The global position of a filing the answer must reflect (read-your-writes).
        public var minPosition: Int64?
        /// How long to wait for the read side to reach `minPosition`; the service's
        /// `readYourWritesWait` when nil.
        public var wait: Duration?

        public init(year: Int, asOf: LocalDate? = nil, knownAt: Date? = nil, minPosition: Int64? = nil, wait: Duration? = nil) {
            self.year = year
            self.asOf = asOf
            self.knownAt = knownAt
            self.minPosition = minPosition
            self.wait = wait
        }
    }

    public struct Report: Sendable {
        public var scope: FundingLedger.Scope
        public var year: Int
        public var asOf: LocalDate
        public var knownAt: Date
        public var totals: FundingLedger.Figures
        /// Per street or town, for a district.
        public var streets: [(government: String, figures: FundingLedger.Figures)]
        public var lines: [FundingLedger.Line]
    }

    public func report(_ scope: FundingLedger.Scope, _ query: Query, for actor: Actor) async throws -> Report {
        try Self.check(scope, year: query.year, actor)
        guard SharedRules.plausibleYears.contains(query.year) else {
            throw ApplicationError.badRequest(field: "/year", rule: "plausible-year", message: "year must be \(SharedRules.plausibleYears.lowerBound)–\(SharedRules.plausibleYears.upperBound) (年度)")
        }
        let now = clock()
        let asOf = query.asOf ?? LocalDate(now)
        let knownAt = query.knownAt ?? now
        return try await ApplicationError.mapping {
            if let position = query.minPosition { try await readSide.waitFor("funding", position, within: query.wait) }
            let lines = try await ledger.lines(scope, year: query.year, asOf: asOf.description, knownAt: knownAt)
            var streets: [String: FundingLedger.Figures] = [:]
            for line in lines { streets[line.government, default: .init()] = streets[line.government, default: .init()] + line.figures }
            return Report(
                scope: scope, year: query.year, asOf: asOf, knownAt: knownAt,
                totals: lines.reduce(FundingLedger.Figures()) { $0 + $1.figures },
                streets: streets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                lines: lines)
        }
    }

    /// Whether `actor` may see `scope` in `year`.
    static func check(_ scope: FundingLedger.Scope, year: Int, _ actor: Actor) throws(ApplicationError) {
        let visible: Bool
        switch scope {
        case .agreement(let text):
            guard let id = AgreementID(text) else { throw .notFound("agreement \(text)", field: "/id") }
            visible = id.year == year && Access.canSee(id, actor)
        case .government(let code):
            guard let government = PartyCode(code), government.level == .government else { throw .notFound("street/town \(code)", field: "/government") }
            visible = Access.canSeeStreet(government, year: year, actor)
        case .district(let code):
            guard let district = PartyCode(code), district.level == .district else { throw .notFound("district \(code)", field: "/district") }
            visible = Access.canSeeDistrict(district, year: year, actor)
        }
        guard visible else {
            switch scope {
            case .agreement(let id): throw .notFound("agreement \(id)", field: "/id")
            case .government(let code): throw .notFound("street/town \(code)", field: "/government")
            case .district(let code): throw .notFound("district \(code)", field: "/district")
            }
        }
    }
}
