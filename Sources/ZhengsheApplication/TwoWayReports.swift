public import Foundation
public import ZhengsheDomain
public import ZhengsheProjections
import ZhengsheStore

/// The year-end two-way evaluation's figures (双向评估结果): for every agreement of a district,
/// both sides scored under the evaluation's scheme from the read side and the submissions, graded,
/// and the committee's funding settled by its grade.
public struct TwoWayReports: Sendable {
    let evaluations: Evaluations
    let reports: ReportObligations
    let ledger: FundingLedger
    let registers: Registers
    let clock: @Sendable () -> Date

    /// How the committee's grade settles its year's funding (履约一揽子资金结算), in fen.
    public struct Settlement: Sendable, Hashable {
        /// The funding its terms in force promise.
        public var promised: Int64
        public var releasePercent: Int
        /// `promised × releasePercent / 100`, rounded down to the fen.
        public var released: Int64
        /// `promised − released`.
        public var withheld: Int64
        /// Deductions settled on claims upheld against the committee.
        public var deducted: Int64
        /// `released − deducted`, not below 0: what the committee is owed for the year.
        public var payable: Int64
        public var transferred: Int64
        /// `payable − transferred`, not below 0.
        public var stillDue: Int64
        /// `transferred − payable`, not below 0: paid beyond what the grade releases.
        public var overpaid: Int64
    }

    public struct AgreementResult: Sendable {
        public var agreement, government, committee: String
        public var inputs: ScoringInputs
        public var committeeScore: SideScore
        public var governmentScore: SideScore
        public var settlement: Settlement
    }

    public struct Report: Sendable {
        public var district: PartyCode
        public var year: Int
        public var status: EvaluationState.Status
        public var evaluationVersion: Int
        public var scheme: ScoringScheme
        /// The business date evaluated: the scheme's (31 December unless it names another), or
        /// today when that is earlier and the evaluation is not finalized.
        public var asOf: LocalDate
        /// What had been recorded by then counts: the finalization's time once finalized, else now.
        public var knownAt: Date
        public var agreements: [AgreementResult]

        /// A group's averages and grade counts: a street's, or the district's.
        public struct Summary: Sendable, Hashable {
            public var agreements: Int
            /// Mean totals, rounded to two decimals.
            public var committeeAverage: Double
            public var governmentAverage: Double
            public var committeeGrades: [String: Int]
            public var governmentGrades: [String: Int]
            public var released: Int64
            public var withheld: Int64
        }

        public func summary(of results: [AgreementResult]) -> Summary {
            func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : (values.reduce(0, +) / Double(values.count) * 100).rounded() / 100 }
            var committeeGrades: [String: Int] = [:]
            var governmentGrades: [String: Int] = [:]
            for r in results {
                committeeGrades[r.committeeScore.grade, default: 0] += 1
                governmentGrades[r.governmentScore.grade, default: 0] += 1
            }
            return Summary(
                agreements: results.count, committeeAverage: mean(results.map(\.committeeScore.total)),
                governmentAverage: mean(results.map(\.governmentScore.total)), committeeGrades: committeeGrades, governmentGrades: governmentGrades,
                released: Self.sum(results.map(\.settlement.released)), withheld: Self.sum(results.map(\.settlement.withheld)))
        }

        /// A sum of fen that stops at the largest 64-bit value rather than trap (amounts filed
        /// have no upper bound of their own).
        static func sum(_ values: [Int64]) -> Int64 {
            values.reduce(0) { total, value in
                let (sum, overflow) = total.addingReportingOverflow(value)
                return overflow ? .max : sum
            }
        }

        /// Each street's or town's summary, by code.
        public var streets: [(government: String, summary: Summary)] {
            Dictionary(grouping: agreements, by: \.government).sorted { $0.key < $1.key }.map { ($0.key, summary(of: $0.value)) }
        }
    }

    /// The report of the district's evaluation of `year`: its bureau's, its evaluators' and admin's
    /// to read. An evaluation not yet opened is scored under the default scheme, as a preview.
    public func report(district: String, year: Int, for actor: Actor) async throws -> Report {
        let snapshot = try await evaluations.snapshot(district: district, year: year, for: actor)
        let state = snapshot.state
        let scheme = state.scheme ?? .changzhou(year: year)
        let evaluated = scheme.evaluatedAsOf ?? LocalDate("\(year)-12-31")!
        let finalizedAt = try await knownAt(snapshot)
        let knownAt = finalizedAt ?? clock()
        // Before it is finalized, the year is evaluated as far as it has gone: a preview.
        let asOf = finalizedAt == nil ? min(evaluated, LocalDate(knownAt)) : evaluated
        let scope = FundingLedger.Scope.district(snapshot.id.district.rawValue)
        return try await ApplicationError.mapping {
            async let dueRead = reports.dueCounts(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let fundingRead = ledger.lines(scope, year: year, asOf: asOf.description, knownAt: knownAt)
            async let commitmentsRead = reports.commitments(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let claimsRead = registers.claims(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let refusalsRead = registers.refusals(scope, year: year, asOf: asOf, knownAt: knownAt)
            let (due, funding, (commitments, _), claims, refusals) = try await (dueRead, fundingRead, commitmentsRead, claimsRead, refusalsRead)

            var inputs: [String: ScoringInputs] = [:]
            for line in funding {
                var i = ScoringInputs()
                i.installmentsDue = line.figures.installmentsDue
                i.installmentsPaidOnTime = line.figures.installmentsDue - line.figures.installmentsLate
                inputs[line.agreement] = i
            }
            for (agreement, counts) in due {
                inputs[agreement, default: .init()].reportsDue = counts.due
                inputs[agreement, default: .init()].reportsVerifiedOnTime = counts.verifiedOnTime
            }
            for c in commitments where c.given != nil {
                inputs[c.agreement, default: .init()].commitmentsPromised += 1
                if (c.given ?? 0) > 0 { inputs[c.agreement, default: .init()].commitmentsGiven += 1 }
            }
            for r in refusals where !r.admitted { inputs[r.agreement, default: .init()].unadmittedTasks += 1 }
            for c in claims where c.settledOn != nil && (c.outcome == "upheld" || c.outcome == "partlyUpheld") {
                if c.claimant == Side.committee.rawValue {
                    inputs[c.agreement, default: .init()].claimsUpheldAgainstGovernment += 1
                } else {
                    inputs[c.agreement, default: .init()].claimsUpheldAgainstCommittee += 1
                }
            }
            let results = funding.map { line -> AgreementResult in
                var i = inputs[line.agreement] ?? .init()
                i.committeeAssessment = state.committeeAssessments[line.committee]?.score
                i.governmentAssessment = state.governmentAssessments[line.committee]
                i.survey = state.surveys[line.committee]
                let committeeScore = scheme.score(.committee, i)
                let percent = scheme.releasePercent(for: committeeScore.grade)
                let f = line.figures
                // promised × percent / 100 without a product that could overflow 64 bits.
                let released = f.promised / 100 * Int64(percent) + f.promised % 100 * Int64(percent) / 100
                let payable = max(0, released - f.deductedFromCommittee)
                return AgreementResult(
                    agreement: line.agreement, government: line.government, committee: line.committee, inputs: i,
                    committeeScore: committeeScore, governmentScore: scheme.score(.government, i),
                    settlement: Settlement(
                        promised: f.promised, releasePercent: percent, released: released, withheld: f.promised - released,
                        deducted: f.deductedFromCommittee, payable: payable, transferred: f.transferred,
                        stillDue: max(0, payable - f.transferred), overpaid: max(0, f.transferred - payable)))
            }
            return Report(district: snapshot.id.district, year: year, status: state.status, evaluationVersion: state.version, scheme: scheme,
                          asOf: asOf, knownAt: knownAt, agreements: results)
        }
    }

    /// What the third party needs before it surveys (调查框架): for each committee, the items it
    /// agreed to and the government's commitments to ask residents about, and the sample the
    /// scheme requires.
    public struct Frame: Sendable {
        public var district: PartyCode
        public var year: Int
        public var asOf: LocalDate
        public var survey: ScoringScheme.SurveyRules
        public var committees: [ReportObligations.TermsInForce]
    }

    public func frame(district: String, year: Int, for actor: Actor) async throws -> Frame {
        let snapshot = try await evaluations.snapshot(district: district, year: year, for: actor)
        let scheme = snapshot.state.scheme ?? .changzhou(year: year)
        let now = clock()
        let asOf = min(scheme.evaluatedAsOf ?? LocalDate("\(year)-12-31")!, LocalDate(now))
        let terms = try await ApplicationError.mapping {
            try await reports.termsInForce(.district(snapshot.id.district.rawValue), year: year, asOf: asOf, knownAt: now)
        }
        return Frame(district: snapshot.id.district, year: year, asOf: asOf, survey: scheme.survey, committees: terms)
    }

    /// A finalized evaluation counts what had been recorded when it was finalized.
    func knownAt(_ snapshot: Evaluations.Snapshot) async throws -> Date? {
        guard snapshot.state.status == .finalized else { return nil }
        return try await evaluations.finalizedAt(snapshot.id, version: snapshot.state.version)
    }
}
