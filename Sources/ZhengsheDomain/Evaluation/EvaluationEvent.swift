/// What happens on a district's evaluation of a year (双向评估): `evaluation-320412-2026`.
public enum EvaluationEvent: Hashable, Sendable {
    case opened(EvaluationOpened)
    case committeeAssessed(CommitteeAssessed)
    case governmentAssessed(GovernmentAssessed)
    case surveyResultsSubmitted(SurveyResultsSubmitted)
    case finalized(EvaluationFinalized)
    case reopened(EvaluationReopened)
}

/// The district bureau opens the year's evaluation under a scheme (评估启动).
public struct EvaluationOpened: Hashable, Sendable, Codable {
    public var scheme: ScoringScheme

    public init(scheme: ScoringScheme) {
        self.scheme = scheme
    }
}

/// A street or town government scores one of its committees on the agreed items and standards
/// (街道评居委会).
public struct CommitteeAssessed: Hashable, Sendable, Codable {
    /// The committee scored, 12 digits.
    public var committee: String
    /// 0–100.
    public var score: Int
    public var comment: String
    /// Scores per assistance item, where the government gives them.
    public var items: [ItemScore]?

    public init(committee: String, score: Int, comment: String, items: [ItemScore]? = nil) {
        self.committee = committee
        self.score = score
        self.comment = comment
        self.items = items
    }

    public struct ItemScore: Hashable, Sendable, Codable {
        public var itemId: String
        public var score: Int
        public var comment: String?

        public init(itemId: String, score: Int, comment: String? = nil) {
            self.itemId = itemId
            self.score = score
            self.comment = comment
        }
    }
}

/// A committee scores its government on Xuyi's four dimensions (居委会评街道).
public struct GovernmentAssessed: Hashable, Sendable, Codable {
    /// The committee that scores, 12 digits (its own code).
    public var committee: String
    /// 行政指导.
    public var guidance: DimensionScore
    /// 行政服务.
    public var service: DimensionScore
    /// 行政干预: high when the government kept from interfering.
    public var interference: DimensionScore
    /// 资金支付.
    public var funding: DimensionScore

    public init(committee: String, guidance: DimensionScore, service: DimensionScore, interference: DimensionScore, funding: DimensionScore) {
        self.committee = committee
        self.guidance = guidance
        self.service = service
        self.interference = interference
        self.funding = funding
    }

    public struct DimensionScore: Hashable, Sendable, Codable {
        /// 0–100.
        public var score: Int
        public var comment: String

        public init(score: Int, comment: String) {
            self.score = score
            self.comment = comment
        }
    }

    public var dimensions: [(name: String, score: DimensionScore)] {
        [("guidance", guidance), ("service", service), ("interference", interference), ("funding", funding)]
    }
}

/// A third party's survey of one committee's residents (第三方满意度调查).
public struct SurveyResultsSubmitted: Hashable, Sendable, Codable {
    public var committee: String
    public var respondents: Respondents
    public var questions: [Question]

    public init(committee: String, respondents: Respondents, questions: [Question]) {
        self.committee = committee
        self.respondents = respondents
        self.questions = questions
    }

    /// Who answered.
    public struct Respondents: Hashable, Sendable, Codable {
        /// Ordinary residents (普通居民), not cadres or representatives.
        public var ordinaryResidents: Int
        /// Residents' representatives (居民代表).
        public var representatives: Int
        public var others: Int

        public init(ordinaryResidents: Int, representatives: Int, others: Int) {
            self.ordinaryResidents = ordinaryResidents
            self.representatives = representatives
            self.others = others
        }

        public var total: Int { ordinaryResidents + representatives + others }
    }

    public struct Question: Hashable, Sendable, Codable {
        public var questionId: String
        /// Which side the question asks about.
        public var about: Side
        public var text: String
        /// 满意.
        public var satisfied: Int
        /// 基本满意.
        public var basicallySatisfied: Int
        /// 不满意.
        public var dissatisfied: Int

        public init(questionId: String, about: Side, text: String, satisfied: Int, basicallySatisfied: Int, dissatisfied: Int) {
            self.questionId = questionId
            self.about = about
            self.text = text
            self.satisfied = satisfied
            self.basicallySatisfied = basicallySatisfied
            self.dissatisfied = dissatisfied
        }

        public var answers: Int { satisfied + basicallySatisfied + dissatisfied }
    }
}

/// The district bureau finalizes the evaluation: its figures are those of the log as it stood
/// then, and never change (评估定稿). The service fills in where the log stood; each field is
/// present once recorded.
public struct EvaluationFinalized: Hashable, Sendable, Codable {
    /// The version finalized, 1 for the first.
    public var evaluationVersion: Int?
    /// The last event the figures count.
    public var globalPosition: Int64?
    /// Every event recorded in a transaction below this id had committed, and no later one can
    /// join them: the figures count exactly those (the store's gap-safe horizon).
    public var transactionHorizon: Int64?

    public init(evaluationVersion: Int? = nil, globalPosition: Int64? = nil, transactionHorizon: Int64? = nil) {
        self.evaluationVersion = evaluationVersion
        self.globalPosition = globalPosition
        self.transactionHorizon = transactionHorizon
    }
}

/// The district bureau reopens a finalized evaluation, with its reason, as a new version; the
/// finalized one stays readable, unchanged (重新评估).
public struct EvaluationReopened: Hashable, Sendable, Codable {
    public var reason: String
    /// A new scheme for the new version; the old one stands when nil.
    public var scheme: ScoringScheme?
    /// The new version (filled in by the service; always present once recorded).
    public var evaluationVersion: Int?

    public init(reason: String, scheme: ScoringScheme? = nil, evaluationVersion: Int? = nil) {
        self.reason = reason
        self.scheme = scheme
        self.evaluationVersion = evaluationVersion
    }
}
