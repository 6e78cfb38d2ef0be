/// How a district scores a year's agreements (评估方案), as data: each side's components and
/// their weights, the grades, the survey's rules and the settlement of the year's funding.
/// A district sets its own without code changes; ``changzhou`` is the default.
public struct ScoringScheme: Hashable, Sendable, Codable {
    public var schemeId: String
    /// What the scheme follows and why, for the people who read the report.
    public var description: String
    /// How the committee is scored (居委会履职): components whose weights add up to 100.
    public var committee: [Component]
    /// How the government is scored (政府履约): components whose weights add up to 100.
    public var government: [Component]
    /// Grades from the best down: a side earns the first whose minimum its score reaches.
    public var grades: [Grade]
    public var survey: SurveyRules
    /// Share of the committee's year's funding released for each grade it earns (履约一揽子资金结算).
    public var settlement: [Settlement]
    /// The business date the evaluation is made as of; 31 December of the year when nil (a
    /// mid-year evaluation names its date).
    public var evaluatedAsOf: LocalDate?
    /// The last day (China time) on which filings about the evaluated period count (录入截止日):
    /// whatever is recorded after it is listed apart in the report as late and scores nothing.
    /// When nil, whatever was recorded before the finalization counts.
    public var filingCutoff: LocalDate?

    public init(
        schemeId: String, description: String, committee: [Component], government: [Component], grades: [Grade] = Grade.standard,
        survey: SurveyRules = SurveyRules(), settlement: [Settlement], evaluatedAsOf: LocalDate? = nil, filingCutoff: LocalDate? = nil
    ) {
        self.schemeId = schemeId
        self.description = description
        self.committee = committee
        self.government = government
        self.grades = grades
        self.survey = survey
        self.settlement = settlement
        self.evaluatedAsOf = evaluatedAsOf
        self.filingCutoff = filingCutoff
    }

    /// The business date evaluated in `year`: the scheme's, else 31 December.
    public func evaluatedDate(year: Int) -> LocalDate { evaluatedAsOf ?? LocalDate(year: year, month: 12, day: 31)! }

    /// One part of a side's score: a formula from the fixed set, scored 0–100, and its weight.
    public struct Component: Hashable, Sendable, Codable {
        public var componentId: String
        public var title: String
        /// Its share of the side's total, in points; a side's weights add up to 100.
        public var weight: Int
        public var formula: Formula
        /// For a deduction formula: points taken off 100 for each count.
        public var pointsEach: Int?
        /// For a deduction formula: the lowest it goes (0 when nil).
        public var floor: Int?

        public init(componentId: String, title: String, weight: Int, formula: Formula, pointsEach: Int? = nil, floor: Int? = nil) {
            self.componentId = componentId
            self.title = title
            self.weight = weight
            self.formula = formula
            self.pointsEach = pointsEach
            self.floor = floor
        }
    }

    /// The fixed set of ways a component is scored, each 0–100 (README.md says each in words).
    public enum Formula: String, Hashable, Sendable, Codable, CaseIterable {
        /// The committee: duty reports due by the date that were verified and had been reported
        /// by their due date, as a share of those due (履职报告按时核验率).
        case reportsVerifiedOnTime
        /// The government: installments due by the date paid in full by their own due date, as
        /// a share of those due (经费按时足额拨付率).
        case installmentsPaidOnTime
        /// The government: guidance and training commitments with guidance given against them,
        /// as a share of those promised (指导承诺兑现率).
        case commitmentsGiven
        /// The government: 100 less `pointsEach` for each task its committee refused that had
        /// not been admitted (未经准入摊派), not below `floor`.
        case unadmittedTasksDeduction
        /// Either side: 100 less `pointsEach` for each claim upheld (wholly or partly) against
        /// it, not below `floor` (违约认定扣分).
        case claimsUpheldDeduction
        /// Either side: the other side's assessment — the government's score of the committee,
        /// or the mean of the committee's four scores of the government (互评).
        case assessment
        /// Either side: residents satisfied or basically satisfied, as a share of the answers to
        /// the survey's questions about that side (居民满意度).
        case surveySatisfaction

        /// Which sides the formula can score.
        public var sides: Set<Side> {
            switch self {
            case .reportsVerifiedOnTime: [.committee]
            case .installmentsPaidOnTime, .commitmentsGiven, .unadmittedTasksDeduction: [.government]
            case .claimsUpheldDeduction, .assessment, .surveySatisfaction: [.committee, .government]
            }
        }

        public var isDeduction: Bool { self == .unadmittedTasksDeduction || self == .claimsUpheldDeduction }
    }

    public struct Grade: Hashable, Sendable, Codable {
        /// 优秀, 良好, 合格, 不合格.
        public var name: String
        /// The lowest total that earns it, 0–100.
        public var minimum: Int

        public init(name: String, minimum: Int) {
            self.name = name
            self.minimum = minimum
        }

        /// 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格.
        public static let standard = [Grade(name: "优秀", minimum: 90), Grade(name: "良好", minimum: 80), Grade(name: "合格", minimum: 60), Grade(name: "不合格", minimum: 0)]
    }

    /// What a third party's sample must hold before its results count (Jiaxing's practice).
    public struct SurveyRules: Hashable, Sendable, Codable {
        public var minimumRespondents: Int
        /// The least share of ordinary residents (not cadres or representatives), in percent.
        public var minimumOrdinaryPercent: Int

        public init(minimumRespondents: Int = 50, minimumOrdinaryPercent: Int = 70) {
            self.minimumRespondents = minimumRespondents
            self.minimumOrdinaryPercent = minimumOrdinaryPercent
        }
    }

    /// For a grade of the committee's: the percentage of its year's funding released; the rest
    /// is withheld.
    public struct Settlement: Hashable, Sendable, Codable {
        public var grade: String
        public var releasePercent: Int

        public init(grade: String, releasePercent: Int) {
            self.grade = grade
            self.releasePercent = releasePercent
        }
    }

    /// The default: Changzhou's practice of weighing residents' satisfaction and the
    /// departments' evaluation 50/50, the evaluation half split between the other side's
    /// assessment and what the record shows. Filings about the year count when recorded by 15
    /// January of the next (the month the evaluation is made in).
    public static func changzhou(year: Int) -> ScoringScheme {
        ScoringScheme(
            schemeId: "changzhou-\(year)",
            description: "常州做法：居民满意度占50%，部门评价占50%（对方评分与电子台账记录各半）。Changzhou: residents' satisfaction 50 %, evaluation 50 % (the other side's assessment and the record).",
            committee: [
                Component(componentId: "residents", title: "居民满意度", weight: 50, formula: .surveySatisfaction),
                Component(componentId: "assessment", title: "街道(镇)评价", weight: 25, formula: .assessment),
                Component(componentId: "reports", title: "履职报告按时核验率", weight: 20, formula: .reportsVerifiedOnTime),
                Component(componentId: "claims", title: "违约认定扣分", weight: 5, formula: .claimsUpheldDeduction, pointsEach: 50),
            ],
            government: [
                Component(componentId: "residents", title: "居民满意度", weight: 50, formula: .surveySatisfaction),
                Component(componentId: "assessment", title: "居(村)委会评价", weight: 25, formula: .assessment),
                Component(componentId: "funding", title: "经费按时足额拨付率", weight: 10, formula: .installmentsPaidOnTime),
                Component(componentId: "guidance", title: "指导承诺兑现率", weight: 5, formula: .commitmentsGiven),
                Component(componentId: "admission", title: "未经准入摊派扣分", weight: 5, formula: .unadmittedTasksDeduction, pointsEach: 20),
                Component(componentId: "claims", title: "违约认定扣分", weight: 5, formula: .claimsUpheldDeduction, pointsEach: 50),
            ],
            settlement: [
                Settlement(grade: "优秀", releasePercent: 100), Settlement(grade: "良好", releasePercent: 100),
                Settlement(grade: "合格", releasePercent: 90), Settlement(grade: "不合格", releasePercent: 70),
            ],
            filingCutoff: LocalDate(year: year + 1, month: 1, day: 15))
    }

    /// The rule a scheme breaks, if any: weights, grades, settlement, survey rules.
    func check(at field: String, year: Int) throws(DomainError) {
        if let date = evaluatedAsOf, date.year != year {
            throw DomainError(rule: "evaluated-date", field: "\(field)/evaluatedAsOf", "the evaluated date lies in the evaluation's year, \(year) (评估日须在本年度内)")
        }
        if let cutoff = filingCutoff, cutoff < evaluatedDate(year: year) {
            throw DomainError(rule: "filing-cutoff", field: "\(field)/filingCutoff",
                              "the filing cut-off \(cutoff) falls before the evaluated date \(evaluatedDate(year: year)) (录入截止日不得早于评估日)")
        }
        try requireText(schemeId, "\(field)/schemeId")
        try requireText(description, "\(field)/description")
        for (side, components) in [(Side.committee, committee), (.government, government)] {
            let path = "\(field)/\(side.rawValue)"
            guard !components.isEmpty else { throw DomainError(rule: "scheme-components", field: path, "each side needs at least one component (评分项)") }
            var ids = Set<String>()
            for (n, component) in components.enumerated() {
                let at = "\(path)/\(n)"
                try requireText(component.componentId, "\(at)/componentId")
                try requireText(component.title, "\(at)/title")
                guard ids.insert(component.componentId).inserted else {
                    throw DomainError(rule: "unique-component", field: "\(at)/componentId", "component \(component.componentId) appears twice on this side (评分项重复)")
                }
                guard (1...100).contains(component.weight) else {
                    throw DomainError(rule: "scheme-weights", field: "\(at)/weight", "a weight is a whole number from 1 to 100 (权重)")
                }
                guard component.formula.sides.contains(side) else {
                    throw DomainError(rule: "formula-side", field: "\(at)/formula",
                                      "\(component.formula.rawValue) cannot score the \(side.rawValue) side (该计分方法不适用于此方)")
                }
                if component.formula.isDeduction {
                    guard let points = component.pointsEach, (1...100).contains(points) else {
                        throw DomainError(rule: "deduction-points", field: "\(at)/pointsEach", "a deduction names the points taken off for each count, 1 to 100 (每次扣分)")
                    }
                    guard (0...100).contains(component.floor ?? 0) else {
                        throw DomainError(rule: "deduction-floor", field: "\(at)/floor", "a deduction's floor is 0–100 (最低分)")
                    }
                }
            }
            guard components.count <= 100 else { throw DomainError(rule: "scheme-components", field: path, "at most 100 components a side (评分项过多)") }
            let total = components.reduce(0) { $0 + $1.weight }
            guard total == 100 else {
                throw DomainError(rule: "scheme-weights", field: path, "the \(side.rawValue) side's weights add up to \(total), not 100 (权重合计须为100)")
            }
        }
        guard let last = grades.last, last.minimum == 0 else {
            throw DomainError(rule: "scheme-grades", field: "\(field)/grades", "grades run from the best down to one whose minimum is 0 (等次须覆盖0分)")
        }
        for (n, grade) in grades.enumerated() {
            try requireText(grade.name, "\(field)/grades/\(n)/name")
            guard (0...100).contains(grade.minimum), n == 0 || grade.minimum < grades[n - 1].minimum else {
                throw DomainError(rule: "scheme-grades", field: "\(field)/grades/\(n)/minimum", "grade minimums are 0–100 and fall from the best grade down (等次分数线)")
            }
        }
        guard Set(grades.map(\.name)).count == grades.count else {
            throw DomainError(rule: "scheme-grades", field: "\(field)/grades", "each grade has a name of its own (等次名称重复)")
        }
        for (n, rule) in settlement.enumerated() {
            guard grades.contains(where: { $0.name == rule.grade }) else {
                throw DomainError(rule: "settlement-grade", field: "\(field)/settlement/\(n)/grade", "\(rule.grade) is not one of the scheme's grades (无此等次)")
            }
            guard (0...100).contains(rule.releasePercent) else {
                throw DomainError(rule: "settlement-percent", field: "\(field)/settlement/\(n)/releasePercent", "a release is 0–100 % of the year's funding (拨付比例)")
            }
        }
        guard Set(settlement.map(\.grade)).count == settlement.count else {
            throw DomainError(rule: "settlement-grade", field: "\(field)/settlement", "each grade is settled once (结算规则重复)")
        }
        guard (1...EvaluationDecider.plausibleCount.upperBound).contains(survey.minimumRespondents) else {
            throw DomainError(rule: "survey-rules", field: "\(field)/survey/minimumRespondents", "a sample needs at least one respondent (最少样本数)")
        }
        guard (0...100).contains(survey.minimumOrdinaryPercent) else {
            throw DomainError(rule: "survey-rules", field: "\(field)/survey/minimumOrdinaryPercent", "the share of ordinary residents is 0–100 % (普通居民占比)")
        }
    }
}
