public import Foundation
public import ZhengsheDomain
public import ZhengsheProjections
import ZhengsheStore

/// "What do we owe, what are we owed, and what is late?" — a committee's side of its agreement
/// and its government's across its committees, as of a date and as known at a time, with the
/// write side's access rules: duty reports and where each stands, the funding owed, the
/// government's commitments against the guidance given, open breach claims with who must act,
/// and the tasks the committees refused.
public struct Obligations: Sendable {
    let reports: ReportObligations
    let ledger: FundingLedger
    let registers: Registers
    let readSide: ReadSide
    let clock: @Sendable () -> Date

    public struct Summary: Sendable, Hashable {
        public var counts: [ReportObligations.Status: Int]
        public func count(_ status: ReportObligations.Status) -> Int { counts[status] ?? 0 }
    }

    /// One committee's figures, for a street's list of its committees.
    public struct CommitteeLine: Sendable, Hashable {
        public var committee: String
        public var agreement: String
        public var summary: Summary
        public var funding: FundingLedger.Figures
        /// Open claims waiting for the government (an answer or a rectification), for the
        /// committee, and for the district's settlement.
        public var claimsWaitingGovernment = 0
        public var claimsWaitingCommittee = 0
        public var claimsWaitingDistrict = 0
        public var refusals = 0
        /// Refused tasks that had not been admitted (未经准入).
        public var refusalsNotAdmitted = 0
        public var guidanceGiven = 0
        /// Guidance and training commitments with nothing given against them yet.
        public var commitmentsUnanswered = 0
    }

    /// How a street's committees are listed.
    public enum Order: String, Sendable, CaseIterable {
        case committee, overdue, awaitingVerification, dueSoon, outstanding, installmentsLate, claimsWaitingGovernment, refusals, commitmentsUnanswered
    }

    public struct Report: Sendable {
        public var year: Int
        public var asOf: LocalDate
        public var knownAt: Date
        public var summary: Summary
        /// The page of expected reports asked for.
        public var lines: [ReportObligations.Line]
        /// How many lines of the status asked for there are in all.
        public var total: Int
        /// What is owed to the committees: the funding ledger's figures, summed over the scope.
        public var owed: FundingLedger.Figures
        public var commitments: [ReportObligations.Commitment]
        public var guidanceGiven: Int
        /// Claims still open on either side (someone must act).
        public var claims: [Registers.Claim]
        public var refusals: [Registers.Refusal]
        /// One line per committee, in the order asked.
        public var committees: [CommitteeLine]
    }

    /// A committee's obligations for `query.year`: its own, its government's, the district's and
    /// its evaluators' to see.
    public func committee(_ code: String, _ query: Funding.Query, page: ReportObligations.Page = .init(), for actor: Actor) async throws -> Report {
        guard let committee = PartyCode(code), let id = AgreementID(committee: committee, year: query.year), Access.canSee(id, actor) else {
            throw ApplicationError.notFound("committee \(code)", field: "/committee")
        }
        return try await report(.agreement(id.description), query, page: page, order: .committee)
    }

    /// A street's committees' obligations: the government's own, the district's and its evaluators'.
    public func government(
        _ code: String, _ query: Funding.Query, page: ReportObligations.Page = .init(), order: Order = .committee, for actor: Actor
    ) async throws -> Report {
        guard let government = PartyCode(code), government.level == .government, Access.canSeeStreet(government, year: query.year, actor) else {
            throw ApplicationError.notFound("street/town \(code)", field: "/government")
        }
        return try await report(.government(code), query, page: page, order: order)
    }

    func report(_ scope: FundingLedger.Scope, _ query: Funding.Query, page: ReportObligations.Page, order: Order) async throws -> Report {
        guard SharedRules.plausibleYears.contains(query.year) else {
            throw ApplicationError.badRequest(field: "/year", rule: "plausible-year", message: "year must be \(SharedRules.plausibleYears.lowerBound)–\(SharedRules.plausibleYears.upperBound) (年度)")
        }
        let now = clock()
        let asOf = query.asOf ?? LocalDate(now)
        let knownAt = query.knownAt ?? now
        return try await ApplicationError.mapping {
            if let position = query.minPosition {
                for projection in ["obligations", "funding", "registers"] { try await readSide.waitFor(projection, position, within: query.wait) }
            }
            let year = query.year
            // Five reads of one date and one instant, side by side on the pool's connections.
            async let reportsRead = reports.read(scope, year: year, asOf: asOf, knownAt: knownAt, page: page)
            async let fundingRead = ledger.lines(scope, year: year, asOf: asOf.description, knownAt: knownAt)
            async let commitmentsRead = reports.commitments(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let claimsRead = registers.claims(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let refusalsRead = registers.refusals(scope, year: year, asOf: asOf, knownAt: knownAt)
            let ((counts, lines), funding, (commitments, guidance), allClaims, refusals) =
                try await (reportsRead, fundingRead, commitmentsRead, claimsRead, refusalsRead)
            let claims = allClaims.filter { $0.mustAct != nil }

            var committees: [String: CommitteeLine] = [:]
            for line in funding {
                committees[line.committee] = CommitteeLine(committee: line.committee, agreement: line.agreement, summary: Summary(counts: [:]), funding: line.figures)
            }
            func update(_ committee: String, _ change: (inout CommitteeLine) -> Void) {
                // A committee has one agreement a year, named after it (AgreementID).
                var line = committees[committee] ?? CommitteeLine(committee: committee, agreement: "\(committee)-\(year)", summary: Summary(counts: [:]), funding: .init())
                change(&line)
                committees[committee] = line
            }
            for (committee, statuses) in counts { update(committee) { $0.summary.counts = statuses } }
            for claim in claims {
                update(claim.committee) {
                    switch claim.mustAct {
                    case "government": $0.claimsWaitingGovernment += 1
                    case "committee": $0.claimsWaitingCommittee += 1
                    default: $0.claimsWaitingDistrict += 1
                    }
                }
            }
            for refusal in refusals {
                update(refusal.committee) {
                    $0.refusals += 1
                    if !refusal.admitted { $0.refusalsNotAdmitted += 1 }
                }
            }
            for commitment in commitments where commitment.given == 0 {
                update(commitment.committee) { $0.commitmentsUnanswered += 1 }
            }
            for (committee, count) in guidance { update(committee) { $0.guidanceGiven = count } }

            var summary: [ReportObligations.Status: Int] = [:]
            for statuses in counts.values { summary.merge(statuses, uniquingKeysWith: +) }
            return Report(
                year: year, asOf: asOf, knownAt: knownAt, summary: Summary(counts: summary), lines: lines,
                total: page.status.map { summary[$0] ?? 0 } ?? summary.values.reduce(0, +),
                owed: funding.reduce(FundingLedger.Figures()) { $0 + $1.figures }, commitments: commitments,
                guidanceGiven: guidance.values.reduce(0, +), claims: claims, refusals: refusals,
                committees: Self.sorted(Array(committees.values), by: order))
        }
    }

    /// Counts and sums from the largest down, ties by committee code; `committee` by code.
    static func sorted(_ lines: [CommitteeLine], by order: Order) -> [CommitteeLine] {
        func key(_ line: CommitteeLine) -> Int64 {
            switch order {
            case .committee: 0
            case .overdue: Int64(line.summary.count(.overdue))
            case .awaitingVerification: Int64(line.summary.count(.awaitingVerification))
            case .dueSoon: Int64(line.summary.count(.dueSoon))
            case .outstanding: line.funding.outstanding
            case .installmentsLate: Int64(line.funding.installmentsLate)
            case .claimsWaitingGovernment: Int64(line.claimsWaitingGovernment)
            case .refusals: Int64(line.refusals)
            case .commitmentsUnanswered: Int64(line.commitmentsUnanswered)
            }
        }
        return lines.sorted { a, b in key(a) != key(b) ? key(a) > key(b) : a.committee < b.committee }
    }
}

/// Read-your-writes: waits, bounded, until a projection has applied the event at a position.
struct ReadSide: Sendable {
    let generations: ProjectionGenerations
    /// How long a request waits when it does not say.
    let defaultWait: Duration

    func waitFor(_ projection: String, _ position: Int64, within wait: Duration?) async throws {
        let deadline = ContinuousClock.now + (wait ?? defaultWait)
        while true {
            switch try await generations.coverage(projection, globalPosition: position) {
            case .covered: return
            case .notYet: break
            case .noSuchEvent:
                // A position an answer gave always holds its event (the answer came after COMMIT).
                throw ApplicationError.badRequest(
                    field: "/minPosition", rule: "position",
                    message: "no filing was recorded at position \(position): minPosition is the globalPosition a filing's answer gave (事件位置不存在)")
            }
            guard ContinuousClock.now < deadline else { throw ApplicationError.projectionLag(projection: projection, position: position) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
