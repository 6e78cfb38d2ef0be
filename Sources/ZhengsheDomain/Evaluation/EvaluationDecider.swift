/// The rules of a district's evaluation of a year (双向评估): a decider over ``EvaluationState``.
///
/// The district bureau opens, finalizes and reopens it; each government scores its own
/// committees, each committee its own government; the third party (an evaluator of the
/// district and year) submits the residents' survey. Nobody scores their own side.
public struct EvaluationDecider: Decider {
    public let id: EvaluationID

    public init(_ id: EvaluationID) {
        self.id = id
    }

    public var initialState: EvaluationState { EvaluationState() }

    /// Finalizing records where the log stands; nothing else reads outside the stream.
    public func needsLookups(_ filing: EvaluationEvent) -> Bool {
        if case .finalized = filing { return true }
        return false
    }

    /// A finalization fixes the figures at what was recorded by its time: a barrier, so that no
    /// filing in flight can commit after it with an earlier time (and join the figures later).
    public func isBarrier(_ event: EvaluationEvent) -> Bool {
        if case .finalized = event { return true }
        return false
    }

    public func evolve(_ state: EvaluationState, _ event: EvaluationEvent) -> EvaluationState {
        var state = state
        switch event {
        case .opened(let e):
            state.status = .open
            state.version = 1
            state.scheme = e.scheme
        case .committeeAssessed(let e): state.committeeAssessments[e.committee] = e
        case .governmentAssessed(let e): state.governmentAssessments[e.committee] = e
        case .surveyResultsSubmitted(let e): state.surveys[e.committee] = e
        case .finalized(let e):
            state.status = .finalized
            state.finalizations[e.evaluationVersion ?? state.version] = e
        case .reopened(let e):
            state.status = .open
            state.version = e.evaluationVersion ?? state.version + 1
            if let scheme = e.scheme { state.scheme = scheme }
        }
        return state
    }

    public func decide(_ filing: EvaluationEvent, _ context: DecisionContext<EvaluationLookups>, _ state: EvaluationState) throws(DomainError) -> [EvaluationEvent] {
        let actor = context.actor
        switch filing {
        case .opened(let e):
            try requireBureau(actor)
            guard state.status == .notOpened else {
                throw DomainError(rule: "opened-once", field: "/type", "the \(id.year) evaluation of \(id.district) is already open; reopen a finalized one instead (评估已启动)")
            }
            try e.scheme.check(at: "/data/scheme", year: id.year)
            return [filing]

        case .committeeAssessed(let e):
            let committee = try committeeOfDistrict(e.committee)
            guard actor.role == .government, actor.party == committee.government else {
                throw DomainError(.forbidden, rule: "government-scores-its-committees", field: "/data/committee",
                                  "only the government of street/town \(committee.government!) scores committee \(committee) (只能评价本街道的居委会)")
            }
            try requireOpen(state)
            try requireScore(e.score, "/data/score")
            try requireText(e.comment, "/data/comment")
            for (n, item) in (e.items ?? []).enumerated() {
                try requireText(item.itemId, "/data/items/\(n)/itemId")
                try requireScore(item.score, "/data/items/\(n)/score")
            }
            return [filing]

        case .governmentAssessed(let e):
            let committee = try committeeOfDistrict(e.committee)
            guard actor.role == .committee, actor.party == committee else {
                throw DomainError(.forbidden, rule: "committee-scores-its-government", field: "/data/committee",
                                  "only committee \(committee) scores its own government (只能评价本居委会所在的街道)")
            }
            try requireOpen(state)
            for (name, dimension) in e.dimensions {
                try requireScore(dimension.score, "/data/\(name)/score")
                try requireText(dimension.comment, "/data/\(name)/comment")
            }
            return [filing]

        case .surveyResultsSubmitted(let e):
            _ = try committeeOfDistrict(e.committee)
            guard actor.role == .evaluator, actor.party == id.district, actor.year == id.year else {
                throw DomainError(.forbidden, rule: "third-party-surveys", field: "/type",
                                  "survey results come from the third party, an evaluator of \(id.district) for \(id.year) (满意度调查由第三方提交)")
            }
            try requireOpen(state)
            try checkSample(e, state.scheme?.survey ?? .init())
            return [filing]

        case .finalized:
            try requireBureau(actor)
            try requireOpen(state)
            // The figures are those of the evaluated date: a year is finalized once it has gone that far.
            let evaluated = (state.scheme ?? .changzhou(year: id.year)).evaluatedDate(year: id.year)
            guard context.date >= evaluated else {
                throw DomainError(rule: "finalize-after-evaluated-date", field: "/occurredAt",
                                  "the evaluation is of \(evaluated); finalize it on or after that day (评估截止日之前不能定稿)")
            }
            let log = context.lookups
            return [.finalized(EvaluationFinalized(evaluationVersion: state.version, globalPosition: log.globalPosition, transactionHorizon: log.transactionHorizon))]

        case .reopened(let e):
            try requireBureau(actor)
            guard state.status == .finalized else {
                throw DomainError(rule: "reopen-finalized", field: "/type", "only a finalized evaluation is reopened (评估尚未定稿)")
            }
            try requireText(e.reason, "/data/reason")
            try e.scheme?.check(at: "/data/scheme", year: id.year)
            return [.reopened(EvaluationReopened(reason: e.reason, scheme: e.scheme, evaluationVersion: state.version + 1))]
        }
    }

    private func requireBureau(_ actor: Actor) throws(DomainError) {
        guard actor.role == .district, actor.party == id.district else {
            throw DomainError(.forbidden, rule: "district-runs-evaluation", field: "/type",
                              "only the civil-affairs bureau (民政局) of district \(id.district) opens, finalizes and reopens its evaluation")
        }
    }

    private func requireOpen(_ state: EvaluationState) throws(DomainError) {
        switch state.status {
        case .open: return
        case .notOpened: throw DomainError(rule: "evaluation-open", field: "/type", "the \(id.year) evaluation of \(id.district) has not been opened (评估尚未启动)")
        case .finalized: throw DomainError(rule: "evaluation-open", field: "/type", "the evaluation is finalized; the bureau must reopen it first (评估已定稿)")
        }
    }

    private func committeeOfDistrict(_ code: String) throws(DomainError) -> PartyCode {
        guard let committee = PartyCode(code), committee.level == .committee else {
            throw DomainError(rule: "party-code", field: "/data/committee", "a committee's code is 12 digits (居(村)委会代码)")
        }
        guard committee.district == id.district else {
            throw DomainError(.notFound, rule: "committee-of-district", field: "/data/committee", "committee \(code) is not in district \(id.district) (不属本区)")
        }
        return committee
    }

    /// A survey's counts: a committee has at most some thousands of households; bounding them
    /// keeps every sum and share within range.
    static let plausibleCount = 0...1_000_000

    private func requireScore(_ score: Int, _ field: String) throws(DomainError) {
        guard (0...100).contains(score) else { throw DomainError(rule: "score-range", field: field, "a score is 0–100 (分值)") }
    }

    /// The scheme's minimum sample and share of ordinary residents, and answers that fit the sample.
    private func checkSample(_ e: SurveyResultsSubmitted, _ rules: ScoringScheme.SurveyRules) throws(DomainError) {
        let r = e.respondents
        for (name, count) in [("ordinaryResidents", r.ordinaryResidents), ("representatives", r.representatives), ("others", r.others)]
        where !Self.plausibleCount.contains(count) {
            throw DomainError(rule: "count", field: "/data/respondents/\(name)", "a count is 0 to \(Self.plausibleCount.upperBound) (人数)")
        }
        guard r.total >= rules.minimumRespondents else {
            throw DomainError(rule: "survey-sample", field: "/data/respondents",
                              "\(r.total) respondents; the scheme needs at least \(rules.minimumRespondents): \(rules.minimumRespondents - r.total) more (样本不足，还差\(rules.minimumRespondents - r.total)人)")
        }
        // The fewest ordinary residents to add for their share to reach the minimum.
        let p = rules.minimumOrdinaryPercent
        if r.ordinaryResidents * 100 < p * r.total {
            let said = "\(r.ordinaryResidents) of \(r.total) respondents are ordinary residents; the scheme needs at least \(p) %"
            if p >= 100 {
                // No number of added residents reaches 100 %: the others must be replaced.
                let others = r.total - r.ordinaryResidents
                throw DomainError(rule: "survey-make-up", field: "/data/respondents/ordinaryResidents",
                                  "\(said): replace the \(others) who are not (需将\(others)名非普通居民替换为普通居民)")
            }
            let missing = (p * r.total - 100 * r.ordinaryResidents + (100 - p) - 1) / (100 - p)
            throw DomainError(rule: "survey-make-up", field: "/data/respondents/ordinaryResidents",
                              "\(said): \(missing) more ordinary residents (普通居民占比不足，还需\(missing)名普通居民)")
        }
        guard !e.questions.isEmpty else { throw DomainError(rule: "survey-questions", field: "/data/questions", "a survey has at least one question (调查问题)") }
        var ids = Set<String>()
        for (n, q) in e.questions.enumerated() {
            try requireText(q.questionId, "/data/questions/\(n)/questionId")
            try requireText(q.text, "/data/questions/\(n)/text")
            guard ids.insert(q.questionId).inserted else {
                throw DomainError(rule: "unique-question", field: "/data/questions/\(n)/questionId", "question \(q.questionId) appears twice (问题重复)")
            }
            for (name, count) in [("satisfied", q.satisfied), ("basicallySatisfied", q.basicallySatisfied), ("dissatisfied", q.dissatisfied)]
            where !Self.plausibleCount.contains(count) {
                throw DomainError(rule: "count", field: "/data/questions/\(n)/\(name)", "a count is 0 to \(Self.plausibleCount.upperBound) (人数)")
            }
            guard q.answers > 0, q.answers <= r.total else {
                throw DomainError(rule: "survey-answers", field: "/data/questions/\(n)",
                                  "\(q.answers) answers to question \(q.questionId); there are \(r.total) respondents (回答数须为1至样本数)")
            }
        }
    }
}

/// What finalizing reads outside the stream: where the log stands (gap-safe), so that the
/// report can be computed again exactly from there.
public struct EvaluationLookups: Sendable {
    /// The last event committed below the horizon.
    public var globalPosition: Int64
    /// The oldest transaction still in flight: everything below it has committed.
    public var transactionHorizon: Int64

    public init(globalPosition: Int64, transactionHorizon: Int64) {
        self.globalPosition = globalPosition
        self.transactionHorizon = transactionHorizon
    }
}
