/// A district's evaluation of a year as its events leave it.
public struct EvaluationState: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable { case notOpened, open, finalized }

    public var status: Status = .notOpened
    /// 1 from opening; each reopening adds one.
    public var version = 0
    public var scheme: ScoringScheme?
    /// The government's score of each committee, by committee code (the latest stands).
    public var committeeAssessments: [String: CommitteeAssessed] = [:]
    /// Each committee's score of its government, by committee code (the latest stands).
    public var governmentAssessments: [String: GovernmentAssessed] = [:]
    /// The survey of each committee's residents, by committee code (the latest stands).
    public var surveys: [String: SurveyResultsSubmitted] = [:]
    /// Every finalization, by version: each stays readable after a reopening.
    public var finalizations: [Int: EvaluationFinalized] = [:]

    public init() {}
}
