import Foundation
import Testing
import ZhengsheDomain

/// Both sides' scores under a scheme, every figure worked out by hand.
@Suite struct ScoringTests {
    static let inputs: ScoringInputs = {
        var inputs = ScoringInputs()
        inputs.reportsDue = 12
        inputs.reportsVerifiedOnTime = 9
        inputs.installmentsDue = 3
        inputs.installmentsPaidOnTime = 1
        inputs.commitmentsPromised = 2
        inputs.commitmentsGiven = 1
        inputs.unadmittedTasks = 1
        inputs.claimsUpheldAgainstCommittee = 1
        inputs.claimsUpheldAgainstGovernment = 1
        inputs.committeeAssessment = 88
        inputs.governmentAssessment = GovernmentAssessed(
            committee: "320412001001", guidance: .init(score: 90, comment: "指导到位"), service: .init(score: 85, comment: "响应及时"),
            interference: .init(score: 80, comment: "摊派较少"), funding: .init(score: 70, comment: "拨付偏晚"))
        inputs.survey = SurveyResultsSubmitted(
            committee: "320412001001", respondents: .init(ordinaryResidents: 42, representatives: 6, others: 2),
            questions: [
                .init(questionId: "q1", about: .committee, text: "对居委会工作是否满意", satisfied: 35, basicallySatisfied: 12, dissatisfied: 3),
                .init(questionId: "q2", about: .government, text: "对街道服务是否满意", satisfied: 30, basicallySatisfied: 15, dissatisfied: 5),
            ])
        return inputs
    }()

    @Test func theDefaultSchemeScoresBothSides() {
        let scheme = ScoringScheme.changzhou(year: 2026)
        // Committee: residents 47/50 = 94 × 50 % = 47; the government's 88 × 25 % = 22; 9 of 12
        // reports = 75 × 20 % = 15; one claim upheld, 100 − 50 = 50 × 5 % = 2.5: 86.5, 良好.
        let committee = scheme.score(.committee, Self.inputs)
        #expect(committee.components.map(\.score) == [94, 88, 75, 50])
        #expect(committee.components.map(\.points) == [47, 22, 15, 2.5])
        #expect(committee.total == 86.5 && committee.grade == "良好" && committee.missing.isEmpty)
        #expect(committee.components[2].basis == "9 of 12 duty reports verified, reported by their due date")
        #expect(scheme.releasePercent(for: committee.grade) == 100)
        // Government: residents 45/50 = 90 → 45; the committee's mean (90+85+80+70)/4 = 81.25 →
        // 20.3125; 1 of 3 installments on time → 3.333…; 1 of 2 commitments → 2.5; one unadmitted
        // task, 100 − 20 = 80 → 4; one claim upheld → 2.5: 77.645… rounds to 77.65, 合格.
        let government = scheme.score(.government, Self.inputs)
        #expect(government.components.map(\.score) == [90, 81.25, 100.0 / 3, 50, 80, 50])
        #expect(government.total == 77.65 && government.grade == "合格")
        #expect(scheme.releasePercent(for: "合格") == 90)
    }

    /// Jiaxing's 30/10/60 weighs the same record differently: the committee is 优秀 there.
    @Test func anotherSchemeChangesTheScoreAsItShould() {
        var jiaxing = ScoringScheme.changzhou(year: 2026)
        jiaxing.committee = [
            .init(componentId: "street", title: "街道评价", weight: 30, formula: .assessment),
            .init(componentId: "record", title: "履职报告按时核验率", weight: 10, formula: .reportsVerifiedOnTime),
            .init(componentId: "residents", title: "居民满意度", weight: 60, formula: .surveySatisfaction),
        ]
        // 88 × 30 % + 75 × 10 % + 94 × 60 % = 26.4 + 7.5 + 56.4 = 90.3.
        let committee = jiaxing.score(.committee, Self.inputs)
        #expect(committee.total == 90.3 && committee.grade == "优秀")
    }

    /// What was never submitted counts 0 and is named; nothing due is nothing failed; a
    /// deduction stops at its floor.
    @Test func missingSubmissionsAndEdges() {
        var inputs = ScoringInputs()
        inputs.unadmittedTasks = 9
        var scheme = ScoringScheme.changzhou(year: 2026)
        scheme.government[4].floor = 40
        let government = scheme.score(.government, inputs)
        #expect(government.missing == ["residents", "assessment"])
        #expect(government.components.map(\.score) == [nil, nil, 100, 100, 40, 100])
        #expect(government.total == 10 + 5 + 2 + 5 && government.grade == "不合格")
        #expect(government.components[0].basis == "no survey was submitted")
        #expect(scheme.grade(for: 90) == "优秀" && scheme.grade(for: 89.99) == "良好" && scheme.grade(for: 0) == "不合格")
    }
}
