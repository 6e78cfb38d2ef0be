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
    let readSide: ReadSide
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

    /// One event behind a figure (评分依据): where it is in its stream, what it is, the day it
    /// happened, and whether it counts towards the figure.
    public typealias Evidence = ReportObligations.Evidence

    public struct AgreementResult: Sendable {
        public var agreement, government, committee: String
        public var inputs: ScoringInputs
        public var committeeScore: SideScore
        public var governmentScore: SideScore
        public var settlement: Settlement
        /// The events behind each component's score, by side and component id, in stream order.
        public var evidence: [Side: [String: [Evidence]]]

        public func evidence(_ side: Side, _ componentId: String) -> [Evidence] { evidence[side]?[componentId] ?? [] }
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
        /// What had been recorded by then counts: the filing cut-off's end, or the finalization's
        /// time once finalized (else now) when that is earlier. A finalization is a barrier in the
        /// log, so what was recorded by its time is the same set whenever it is read.
        public var knownAt: Date
        /// The scheme's filing cut-off (录入截止日), if it names one.
        public var filingCutoff: LocalDate?
        public var agreements: [AgreementResult]
        /// Filings about the evaluated period recorded after the cut-off (迟报): listed, not scored.
        public var lateFilings: [ReportObligations.LateFiling]
        /// The departments that pushed tasks on committees without admission (未经准入摊派), the
        /// most first.
        public var departments: [Department]

        public struct Department: Sendable, Hashable {
            public var name: String
            public var tasks: Int
            public var committees: Int
            /// The streets and towns whose committees it pushed them on, by code.
            public var governments: [String]
        }

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
            /// Each component's mean score (a missing submission counts 0), both sides, the
            /// weakest first: where the group falls short.
            public var components: [ComponentAverage]
        }

        public struct ComponentAverage: Sendable, Hashable {
            public var side: Side
            public var componentId: String
            public var title: String
            /// Rounded to two decimals.
            public var average: Double
        }

        public func summary(of results: [AgreementResult]) -> Summary {
            func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : (values.reduce(0, +) / Double(values.count) * 100).rounded() / 100 }
            var committeeGrades: [String: Int] = [:]
            var governmentGrades: [String: Int] = [:]
            for r in results {
                committeeGrades[r.committeeScore.grade, default: 0] += 1
                governmentGrades[r.governmentScore.grade, default: 0] += 1
            }
            var components: [ComponentAverage] = []
            for side in [Side.committee, .government] {
                for c in side == .committee ? scheme.committee : scheme.government {
                    let scores = results.map { r in (side == .committee ? r.committeeScore : r.governmentScore).components.first { $0.componentId == c.componentId }?.score ?? 0 }
                    components.append(ComponentAverage(side: side, componentId: c.componentId, title: c.title, average: mean(scores)))
                }
            }
            components.sort { ($0.average, $0.side.rawValue, $0.componentId) < ($1.average, $1.side.rawValue, $1.componentId) }
            return Summary(
                agreements: results.count, committeeAverage: mean(results.map(\.committeeScore.total)),
                governmentAverage: mean(results.map(\.governmentScore.total)), committeeGrades: committeeGrades, governmentGrades: governmentGrades,
                released: Self.sum(results.map(\.settlement.released)), withheld: Self.sum(results.map(\.settlement.withheld)), components: components)
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
    /// With `version`, the report of that finalized version, exactly as it was finalized.
    public func report(district: String, year: Int, version: Int? = nil, for actor: Actor) async throws -> Report {
        let record = try await evaluations.record(district: district, year: year, version: version, for: actor)
        let state = record.state
        let scheme = state.scheme ?? .changzhou(year: year)
        let evaluated = scheme.evaluatedDate(year: year)
        let finalizedAt = record.finalizedAt
        let readAt = finalizedAt ?? clock()
        // Before it is finalized, the year is evaluated as far as it has gone: a preview.
        let asOf = finalizedAt == nil ? min(evaluated, LocalDate(readAt)) : evaluated
        // Whatever was recorded after the cut-off day is late: it is listed, not scored.
        let cutoff = scheme.filingCutoff.map { $0.adding(days: 1).start }
        let knownAt = cutoff.map { min($0, readAt) } ?? readAt
        let scope = FundingLedger.Scope.district(record.id.district.rawValue)
        return try await ApplicationError.mapping {
            // A finalized version counts what was recorded before its finalization, a barrier in
            // the log (Schema/0004): once the read side has applied it, it has applied all of that.
            if let position = record.finalizedPosition {
                for projection in ["obligations", "funding", "registers"] { try await readSide.waitFor(projection, position, within: nil) }
            }
            async let recordsRead = reports.scoringRecords(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let fundingRead = ledger.lines(scope, year: year, asOf: asOf.description, knownAt: knownAt)
            async let commitmentsRead = reports.commitments(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let claimsRead = registers.claims(scope, year: year, asOf: asOf, knownAt: knownAt)
            async let refusalsRead = registers.refusals(scope, year: year, asOf: asOf, knownAt: knownAt)
            let (records, funding, (commitments, _), claims, refusals) = try await (recordsRead, fundingRead, commitmentsRead, claimsRead, refusalsRead)
            let late = knownAt < readAt
                ? try await reports.lateFilings(scope, year: year, asOf: asOf, cutoff: knownAt, knownAt: readAt) : []

            var inputs: [String: ScoringInputs] = [:]
            for line in funding {
                var i = ScoringInputs()
                i.installmentsDue = line.figures.installmentsDue
                i.installmentsPaidOnTime = line.figures.installmentsDue - line.figures.installmentsLate
                inputs[line.agreement] = i
            }
            for (agreement, record) in records {
                inputs[agreement, default: .init()].reportsDue = record.reportsDue
                inputs[agreement, default: .init()].reportsVerifiedOnTime = record.reportsVerifiedOnTime
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
                        stillDue: max(0, payable - f.transferred), overpaid: max(0, f.transferred - payable)),
                    evidence: Self.evidence(scheme, committee: line.committee, record: record, read: records[line.agreement]?.evidence ?? [:]))
            }
            return Report(district: record.id.district, year: year, status: state.status, evaluationVersion: state.version, scheme: scheme,
                          asOf: asOf, knownAt: knownAt, filingCutoff: scheme.filingCutoff, agreements: results, lateFilings: late,
                          departments: Self.departments(refusals))
        }
    }

    static func departments(_ refusals: [Registers.Refusal]) -> [Report.Department] {
        Dictionary(grouping: refusals.filter { !$0.admitted }, by: \.requestingDepartment)
            .map { Report.Department(name: $0.key, tasks: $0.value.count, committees: Set($0.value.map(\.committee)).count,
                                     governments: Set($0.value.map(\.government)).sorted()) }
            .sorted { ($1.tasks, $0.name) < ($0.tasks, $1.name) }
    }

    /// Each component's evidence: the events its formula read from the record, or the submission
    /// it took its score from.
    static func evidence(_ scheme: ScoringScheme, committee: String, record: Evaluations.Record, read: [ReportObligations.EvidenceTopic: [Evidence]])
        -> [Side: [String: [Evidence]]]
    {
        func submitted(_ kind: Evaluations.Record.Submission.Kind) -> [Evidence] {
            guard let r = record.submissions[.init(committee: committee, kind: kind)] else { return [] }
            return [Evidence(eventId: r.eventId, stream: r.stream, streamVersion: r.streamVersion, type: r.type, on: LocalDate(r.occurredAt), counts: true)]
        }
        // The terms and what they set due, in the stream's order (each list comes in it).
        func withTerms(_ topic: ReportObligations.EvidenceTopic) -> [Evidence] {
            let (terms, events) = (read[.terms] ?? [], read[topic] ?? [])
            var merged: [Evidence] = []
            merged.reserveCapacity(terms.count + events.count)
            var (i, j) = (0, 0)
            while i < terms.count || j < events.count {
                if j == events.count || (i < terms.count && terms[i].streamVersion < events[j].streamVersion) {
                    merged.append(terms[i])
                    i += 1
                } else {
                    merged.append(events[j])
                    j += 1
                }
            }
            return merged
        }
        var result: [Side: [String: [Evidence]]] = [:]
        for side in [Side.committee, .government] {
            for component in side == .committee ? scheme.committee : scheme.government {
                let events: [Evidence]
                switch component.formula {
                case .reportsVerifiedOnTime: events = withTerms(.reportsVerifiedOnTime)
                case .installmentsPaidOnTime: events = withTerms(.installmentsPaidOnTime)
                case .commitmentsGiven: events = withTerms(.commitmentsGiven)
                case .unadmittedTasksDeduction: events = read[.unadmittedTasks] ?? []
                case .claimsUpheldDeduction: events = read[side == .committee ? .claimsUpheldAgainstCommittee : .claimsUpheldAgainstGovernment] ?? []
                case .assessment: events = submitted(side == .committee ? .committeeAssessed : .governmentAssessed)
                case .surveySatisfaction: events = submitted(.surveyResultsSubmitted)
                }
                result[side, default: [:]][component.componentId] = events
            }
        }
        return result
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
        let asOf = min(scheme.evaluatedDate(year: year), LocalDate(now))
        let terms = try await ApplicationError.mapping {
            try await reports.termsInForce(.district(snapshot.id.district.rawValue), year: year, asOf: asOf, knownAt: now)
        }
        return Frame(district: snapshot.id.district, year: year, asOf: asOf, survey: scheme.survey, committees: terms)
    }
}
