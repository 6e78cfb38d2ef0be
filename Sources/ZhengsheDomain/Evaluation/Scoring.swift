/// What the record and the submissions say of one agreement's year, as the scheme's formulas
/// read it: counts from the read side (as of the evaluated date) and the evaluation's own
/// submissions. Every count is what a formula divides or multiplies, nothing more.
public struct ScoringInputs: Hashable, Sendable {
    /// Duty reports due by the date, and those verified that had been reported by their due date.
    public var reportsDue = 0
    public var reportsVerifiedOnTime = 0
    /// Installments due by the date, and those paid in full by their own due date.
    public var installmentsDue = 0
    public var installmentsPaidOnTime = 0
    /// Guidance and training commitments promised, and those with guidance given against them.
    public var commitmentsPromised = 0
    public var commitmentsGiven = 0
    /// Tasks the committee refused that had not been admitted (未经准入).
    public var unadmittedTasks = 0
    /// Claims settled as upheld or partly upheld against each side.
    public var claimsUpheldAgainstCommittee = 0
    public var claimsUpheldAgainstGovernment = 0
    /// The government's score of the committee, if submitted.
    public var committeeAssessment: Int?
    /// The committee's four scores of its government, if submitted.
    public var governmentAssessment: GovernmentAssessed?
    /// The residents' survey, if submitted.
    public var survey: SurveyResultsSubmitted?

    public init() {}
}

/// One side's score under a scheme: each component's score and its share of the total, the
/// total, and the grade.
public struct SideScore: Hashable, Sendable {
    public struct Component: Hashable, Sendable {
        public var componentId: String
        public var title: String
        public var weight: Int
        public var formula: ScoringScheme.Formula
        /// 0–100; nil when what it reads was never submitted (counted as 0).
        public var score: Double?
        /// `score × weight / 100`: its share of the total.
        public var points: Double
        /// How the score was reached, in words and numbers, e.g. `11 of 12 verified on time`.
        public var basis: String
    }

    public var side: Side
    public var components: [Component]
    /// The sum of the components' points, 0–100, rounded to two decimals.
    public var total: Double
    public var grade: String
    /// Components whose submission is missing, by id.
    public var missing: [String] { components.filter { $0.score == nil }.map(\.componentId) }
}

extension ScoringScheme {
    /// Scores `side` from `inputs`, exactly as README.md says in words.
    public func score(_ side: Side, _ inputs: ScoringInputs) -> SideScore {
        let components = (side == .committee ? committee : government).map { component -> SideScore.Component in
            let (score, basis) = Self.evaluate(component, side, inputs)
            return SideScore.Component(
                componentId: component.componentId, title: component.title, weight: component.weight, formula: component.formula,
                score: score, points: (score ?? 0) * Double(component.weight) / 100, basis: basis)
        }
        let total = (components.reduce(0) { $0 + $1.points } * 100).rounded() / 100
        return SideScore(side: side, components: components, total: total, grade: grade(for: total))
    }

    /// The first grade, from the best down, whose minimum the total reaches.
    public func grade(for total: Double) -> String {
        grades.first { total >= Double($0.minimum) }?.name ?? grades.last?.name ?? ""
    }

    /// The share of the year's funding released for `grade`, in percent (all of it when the
    /// scheme names no rule for the grade).
    public func releasePercent(for grade: String) -> Int {
        settlement.first { $0.grade == grade }?.releasePercent ?? 100
    }

    static func evaluate(_ component: Component, _ side: Side, _ inputs: ScoringInputs) -> (Double?, String) {
        func share(_ part: Int, of whole: Int, _ what: String) -> (Double?, String) {
            // Nothing due is nothing failed.
            whole == 0 ? (100, "none due (\(what))") : (Double(part) * 100 / Double(whole), "\(part) of \(whole) \(what)")
        }
        func deduction(_ count: Int, _ what: String) -> (Double?, String) {
            let each = component.pointsEach ?? 0
            let floor = Double(component.floor ?? 0)
            return (max(floor, 100 - Double(count * each)), "\(count) \(what) × \(each) points off 100, not below \(Int(floor))")
        }
        switch component.formula {
        case .reportsVerifiedOnTime:
            return share(inputs.reportsVerifiedOnTime, of: inputs.reportsDue, "duty reports verified, reported by their due date")
        case .installmentsPaidOnTime:
            return share(inputs.installmentsPaidOnTime, of: inputs.installmentsDue, "installments paid in full by their due date")
        case .commitmentsGiven:
            return share(inputs.commitmentsGiven, of: inputs.commitmentsPromised, "guidance and training commitments given")
        case .unadmittedTasksDeduction:
            return deduction(inputs.unadmittedTasks, "tasks pushed without admission")
        case .claimsUpheldDeduction:
            let count = side == .committee ? inputs.claimsUpheldAgainstCommittee : inputs.claimsUpheldAgainstGovernment
            return deduction(count, "claims upheld against this side")
        case .assessment:
            if side == .committee {
                guard let score = inputs.committeeAssessment else { return (nil, "the government's assessment was not submitted") }
                return (Double(score), "the government's score")
            }
            guard let scores = inputs.governmentAssessment else { return (nil, "the committee's assessment was not submitted") }
            let values = scores.dimensions.map(\.score.score)
            return (Double(values.reduce(0, +)) / Double(values.count), "mean of the committee's scores " + values.map(String.init).joined(separator: ", "))
        case .surveySatisfaction:
            guard let survey = inputs.survey else { return (nil, "no survey was submitted") }
            let questions = survey.questions.filter { $0.about == side }
            let answers = questions.reduce(0) { $0 + $1.answers }
            guard answers > 0 else { return (nil, "the survey asked nothing about this side") }
            let positive = questions.reduce(0) { $0 + $1.satisfied + $1.basicallySatisfied }
            return (Double(positive) * 100 / Double(answers),
                    "\(positive) of \(answers) answers satisfied or basically satisfied (\(survey.respondents.total) respondents)")
        }
    }
}
