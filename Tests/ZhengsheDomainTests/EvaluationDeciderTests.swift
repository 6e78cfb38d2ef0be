import Foundation
import Testing
import ZhengsheDomain

/// The evaluation stream's rules, given/when/then: who files what, the scheme's checks, the
/// survey's sample, finalizing and reopening.
@Suite struct EvaluationDeciderTests {
    typealias Spec = DeciderSpecification<EvaluationDecider>
    static let id = EvaluationID(district: Fixtures.district, year: 2026)!
    static let evaluator = Actor(name: "第三方 评估中心", role: .evaluator, party: Fixtures.district, year: 2026)
    static let scheme = ScoringScheme.changzhou(year: 2026)

    static func spec(_ history: [EvaluationEvent] = [], at position: Int64 = 900) -> Spec {
        Spec(EvaluationDecider(id), given: history, lookups: EvaluationLookups(globalPosition: position, transactionHorizon: 77_000))
    }
    static let opened: [EvaluationEvent] = [.opened(.init(scheme: scheme))]

    static func survey(ordinary: Int = 40, representatives: Int = 8, others: Int = 2, answers: (Int, Int, Int) = (30, 15, 5)) -> EvaluationEvent {
        .surveyResultsSubmitted(.init(
            committee: Fixtures.committee.rawValue, respondents: .init(ordinaryResidents: ordinary, representatives: representatives, others: others),
            questions: [.init(questionId: "q1", about: .committee, text: "对居委会工作是否满意", satisfied: answers.0, basicallySatisfied: answers.1, dissatisfied: answers.2)]))
    }

    static let scores = GovernmentAssessed(
        committee: Fixtures.committee.rawValue, guidance: .init(score: 90, comment: "指导到位"), service: .init(score: 85, comment: "响应及时"),
        interference: .init(score: 80, comment: "摊派较少"), funding: .init(score: 70, comment: "拨付偏晚"))

    @Test func theBureauOpensOnceUnderACheckedScheme() {
        let open = EvaluationEvent.opened(.init(scheme: Self.scheme))
        Self.spec().then(open, by: Fixtures.districtActor, records: [open])
        Self.spec().expectRefusal(open, by: Fixtures.governmentActor, rule: "district-runs-evaluation", kind: .forbidden)
        Self.spec().expectRefusal(open, by: Actor(name: "x", role: .district, party: PartyCode("320411")), rule: "district-runs-evaluation")
        Self.spec(Self.opened).expectRefusal(open, by: Fixtures.districtActor, rule: "opened-once")

        var uneven = Self.scheme
        uneven.committee[0].weight = 45
        Self.spec().expectRefusal(.opened(.init(scheme: uneven)), by: Fixtures.districtActor, rule: "scheme-weights", field: "/data/scheme/committee")
        var wrongSide = Self.scheme
        wrongSide.committee[2].formula = .installmentsPaidOnTime
        Self.spec().expectRefusal(.opened(.init(scheme: wrongSide)), by: Fixtures.districtActor, rule: "formula-side", field: "/data/scheme/committee/2/formula")
        var huge = Self.scheme
        huge.committee[0].weight = Int.max
        Self.spec().expectRefusal(.opened(.init(scheme: huge)), by: Fixtures.districtActor, rule: "scheme-weights", field: "/data/scheme/committee/0/weight")
        var noPoints = Self.scheme
        noPoints.government[4].pointsEach = nil
        Self.spec().expectRefusal(.opened(.init(scheme: noPoints)), by: Fixtures.districtActor, rule: "deduction-points", field: "/data/scheme/government/4/pointsEach")
        var grades = Self.scheme
        grades.grades = [.init(name: "优秀", minimum: 90), .init(name: "合格", minimum: 95), .init(name: "不合格", minimum: 0)]
        Self.spec().expectRefusal(.opened(.init(scheme: grades)), by: Fixtures.districtActor, rule: "scheme-grades", field: "/data/scheme/grades/1/minimum")
        var elsewhen = Self.scheme
        elsewhen.evaluatedAsOf = LocalDate("2025-12-31")
        Self.spec().expectRefusal(.opened(.init(scheme: elsewhen)), by: Fixtures.districtActor, rule: "evaluated-date", field: "/data/scheme/evaluatedAsOf")
        var settlement = Self.scheme
        settlement.settlement.append(.init(grade: "很好", releasePercent: 100))
        Self.spec().expectRefusal(.opened(.init(scheme: settlement)), by: Fixtures.districtActor, rule: "settlement-grade", field: "/data/scheme/settlement/4/grade")

        // Jiaxing's 30/10/60 in the same shape: the street's assessment 30, the record 10, residents 60.
        var jiaxing = Self.scheme
        jiaxing.committee = [
            .init(componentId: "street", title: "街道评价", weight: 30, formula: .assessment),
            .init(componentId: "record", title: "履职报告按时核验率", weight: 10, formula: .reportsVerifiedOnTime),
            .init(componentId: "residents", title: "居民满意度", weight: 60, formula: .surveySatisfaction),
        ]
        Self.spec().then(.opened(.init(scheme: jiaxing)), by: Fixtures.districtActor, records: [.opened(.init(scheme: jiaxing))])
    }

    /// Each side scores the other, never itself, and only inside its own street.
    @Test func nobodyScoresTheirOwnSide() {
        let assessed = EvaluationEvent.committeeAssessed(.init(committee: Fixtures.committee.rawValue, score: 88, comment: "台账规范"))
        let spec = Self.spec(Self.opened)
        spec.then(assessed, by: Fixtures.governmentActor, records: [assessed])
        spec.expectRefusal(assessed, by: Fixtures.committeeActor, rule: "government-scores-its-committees", kind: .forbidden)
        spec.expectRefusal(assessed, by: Actor(name: "x", role: .government, party: Fixtures.otherGovernment), rule: "government-scores-its-committees")
        spec.expectRefusal(.committeeAssessed(.init(committee: Fixtures.committee.rawValue, score: 101, comment: "x")), by: Fixtures.governmentActor,
                           rule: "score-range", field: "/data/score")
        spec.expectRefusal(.committeeAssessed(.init(committee: "320411001001", score: 80, comment: "x")), by: Fixtures.governmentActor,
                           rule: "committee-of-district", kind: .notFound)

        let scored = EvaluationEvent.governmentAssessed(Self.scores)
        spec.then(scored, by: Fixtures.committeeActor, records: [scored])
        spec.expectRefusal(scored, by: Fixtures.governmentActor, rule: "committee-scores-its-government", kind: .forbidden)
        spec.expectRefusal(scored, by: Actor(name: "x", role: .committee, party: Fixtures.otherCommittee), rule: "committee-scores-its-government",
                           field: "/data/committee")
        var blank = Self.scores
        blank.interference.comment = " "
        spec.expectRefusal(.governmentAssessed(blank), by: Fixtures.committeeActor, rule: "required", field: "/data/interference/comment")
        Self.spec().expectRefusal(scored, by: Fixtures.committeeActor, rule: "evaluation-open")
    }

    /// A thin sample, or one with too few ordinary residents, is refused with how many are missing.
    @Test func theSurveysSampleMustHoldTheSchemesMinimum() throws {
        let spec = Self.spec(Self.opened)
        spec.then(Self.survey(), by: Self.evaluator, records: [Self.survey()])
        spec.expectRefusal(Self.survey(), by: Fixtures.districtActor, rule: "third-party-surveys", kind: .forbidden)
        spec.expectRefusal(Self.survey(), by: Actor(name: "去年", role: .evaluator, party: Fixtures.district, year: 2025), rule: "third-party-surveys")

        do {
            _ = try spec.when(Self.survey(ordinary: 30, representatives: 8, others: 2, answers: (20, 10, 5)), by: Self.evaluator)
            Issue.record("a sample of 40 was accepted")
        } catch {
            #expect(error.rule == "survey-sample" && error.message.contains("10 more") && error.message.contains("还差10人"), "\(error)")
        }
        // 30 of 50 ordinary residents: (30 + n) / (50 + n) ≥ 70 % first holds at n = 17.
        do {
            _ = try spec.when(Self.survey(ordinary: 30, representatives: 15, others: 5), by: Self.evaluator)
            Issue.record("a sample of 60 % ordinary residents was accepted")
        } catch {
            #expect(error.rule == "survey-make-up" && error.field == "/data/respondents/ordinaryResidents" && error.message.contains("还需17名普通居民"), "\(error)")
        }
        spec.then(Self.survey(ordinary: 35, representatives: 15, others: 0), by: Self.evaluator, records: [Self.survey(ordinary: 35, representatives: 15, others: 0)])
        spec.expectRefusal(Self.survey(answers: (40, 15, 5)), by: Self.evaluator, rule: "survey-answers", field: "/data/questions/0")
        spec.expectRefusal(Self.survey(answers: (30, -1, 5)), by: Self.evaluator, rule: "count", field: "/data/questions/0/basicallySatisfied")

        // Counts past any committee's size are refused before any sum is taken.
        spec.expectRefusal(Self.survey(ordinary: 100_000_000_000_000_000), by: Self.evaluator, rule: "count", field: "/data/respondents/ordinaryResidents")
        // A scheme that asks for ordinary residents only: adding residents cannot help, the others must be replaced.
        var onlyResidents = Self.scheme
        onlyResidents.survey = .init(minimumRespondents: 50, minimumOrdinaryPercent: 100)
        do {
            _ = try Self.spec([.opened(.init(scheme: onlyResidents))]).when(Self.survey(ordinary: 45, representatives: 5, others: 0), by: Self.evaluator)
            Issue.record("45 of 50 ordinary residents passed a 100 % rule")
        } catch {
            #expect(error.rule == "survey-make-up" && error.message.contains("需将5名非普通居民替换为普通居民"), "\(error)")
        }
        // A district whose scheme asks for 300 households (Zhenhai) refuses 50.
        var zhenhai = Self.scheme
        zhenhai.survey = .init(minimumRespondents: 300, minimumOrdinaryPercent: 0)
        Self.spec([.opened(.init(scheme: zhenhai))]).expectRefusal(Self.survey(), by: Self.evaluator, rule: "survey-sample")
    }

    /// Finalizing records the version and where the log stands; a finalized evaluation takes
    /// nothing more until reopened, which makes a new version and keeps the old finalization.
    @Test func finalizedThenReopenedAsANewVersion() throws {
        var spec = Self.spec(Self.opened, at: 4_211)
        let yearEnd = Fixtures.on("2026-12-31")
        // Not before the evaluated date: the figures are those of 31 December.
        spec.expectRefusal(.finalized(.init()), by: Fixtures.districtActor, rule: "finalize-after-evaluated-date", field: "/occurredAt")
        spec.then(.finalized(.init()), by: Fixtures.districtActor, at: yearEnd,
                  records: [.finalized(.init(evaluationVersion: 1, globalPosition: 4_211, transactionHorizon: 77_000))])
        spec.expectRefusal(.finalized(.init()), by: Fixtures.governmentActor, rule: "district-runs-evaluation")
        spec.expectRefusal(.reopened(.init(reason: "补录")), by: Fixtures.districtActor, rule: "reopen-finalized")
        try spec.file(.finalized(.init()), by: Fixtures.districtActor, at: yearEnd)
        spec.expectRefusal(Self.survey(), by: Self.evaluator, rule: "evaluation-open")
        spec.expectRefusal(.finalized(.init()), by: Fixtures.districtActor, at: yearEnd, rule: "evaluation-open")
        spec.expectRefusal(.reopened(.init(reason: " ")), by: Fixtures.districtActor, rule: "required", field: "/data/reason")

        spec.then(.reopened(.init(reason: "补录调查")), by: Fixtures.districtActor, records: [.reopened(.init(reason: "补录调查", evaluationVersion: 2))])
        try spec.file(.reopened(.init(reason: "补录调查")), by: Fixtures.districtActor)
        spec.then(Self.survey(), by: Self.evaluator, records: [Self.survey()])
        #expect(spec.state.version == 2 && spec.state.status == .open)
        #expect(spec.state.finalizations[1] == EvaluationFinalized(evaluationVersion: 1, globalPosition: 4_211, transactionHorizon: 77_000), "the first version's finalization stays")
    }

    @Test func theDefaultSchemeFollowsChangzhou() throws {
        let scheme = ScoringScheme.changzhou(year: 2026)
        #expect(scheme.committee.reduce(0) { $0 + $1.weight } == 100 && scheme.government.reduce(0) { $0 + $1.weight } == 100)
        #expect(scheme.committee.first { $0.formula == .surveySatisfaction }?.weight == 50, "residents' satisfaction 50 %")
        #expect(scheme.government.first { $0.formula == .surveySatisfaction }?.weight == 50)
        #expect(scheme.description.contains("常州") && scheme.grades.map(\.minimum) == [90, 80, 60, 0])
        #expect(scheme.survey == .init(minimumRespondents: 50, minimumOrdinaryPercent: 70))
    }
}
