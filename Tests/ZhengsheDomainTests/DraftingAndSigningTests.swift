import Foundation
import Testing
import ZhengsheDomain


@Suite struct DraftingAndSigningTests {
    @Test func theGovernmentDraftsForACommitteeInsideIt() throws {
        #expect(try S().when(Fixtures.drafted, by: Fixtures.governmentActor).map(\.typeName) == ["AgreementDrafted"])
        S([Fixtures.drafted]).expectRefusal(Fixtures.drafted, by: Fixtures.governmentActor, rule: "drafted-once")
    }

    @Test func partyCodesAreChecked() {
        let bad = AgreementEvent.drafted(.init(government: "32041200", committee: "320412001001", year: 2026, termStart: LocalDate("2026-01-01")!, termEnd: LocalDate("2026-12-31")!))
        S().expectRefusal(bad, by: Fixtures.governmentActor, rule: "government-code", field: "/data/government")
        let short = AgreementEvent.drafted(.init(government: "320412001", committee: "3204120010", year: 2026, termStart: LocalDate("2026-01-01")!, termEnd: LocalDate("2026-12-31")!))
        S().expectRefusal(short, by: Fixtures.governmentActor, rule: "committee-code", field: "/data/committee")
        let outside = AgreementEvent.drafted(.init(government: "320412001", committee: "320412002001", year: 2026, termStart: LocalDate("2026-01-01")!, termEnd: LocalDate("2026-12-31")!))
        S().expectRefusal(outside, by: Fixtures.governmentActor, rule: "committee-inside-government", field: "/data/committee")
    }

    @Test func onlyThatGovernmentDrafts() {
        let stranger = Actor(name: "x", role: .government, party: Fixtures.otherGovernment)
        S().expectRefusal(Fixtures.drafted, by: stranger, rule: "own-events-only", kind: .forbidden)
        S().expectRefusal(Fixtures.drafted, by: Fixtures.committeeActor, rule: "own-events-only", kind: .forbidden)
    }

    @Test func itemsMustBeOnTheAssistanceListOrAdmitted() {
        var terms = Fixtures.terms()
        terms.items[0].code = "Z99"
        S([Fixtures.drafted]).expectRefusal(.termsProposed(.init(termsVersion: 1, terms: terms)), by: Fixtures.governmentActor,
                                     rule: "item-on-assistance-list", field: "/data/terms/items/0/code")
        var duties = Fixtures.terms()
        duties.lawfulDuties = ["L01", "L09"]
        S([Fixtures.drafted]).expectRefusal(.termsProposed(.init(termsVersion: 1, terms: duties)), by: Fixtures.governmentActor,
                                     rule: "duty-on-lawful-list", field: "/data/terms/lawfulDuties/1")
        // ADM-7 is an admitted survey, not a list item: accepted.
        #expect(throws: Never.self) { try S([Fixtures.drafted]).when(.termsProposed(.init(termsVersion: 1, terms: Fixtures.terms())), by: Fixtures.governmentActor) }
    }

    @Test func bothSidesNeedBreachClauses() {
        var terms = Fixtures.terms()
        terms.breachClauses.removeAll { $0.party == .government }
        S([Fixtures.drafted]).expectRefusal(.termsProposed(.init(termsVersion: 1, terms: terms)), by: Fixtures.governmentActor,
                                     rule: "both-sides-liable", field: "/data/terms/breachClauses")
    }

    @Test func termsVersionsCountUp() {
        S([Fixtures.drafted]).expectRefusal(.termsProposed(.init(termsVersion: 2, terms: Fixtures.terms())), by: Fixtures.governmentActor,
                                     rule: "terms-version", field: "/data/termsVersion")
    }

    @Test func takesEffectOnlyWhenBothSignTheSameVersion() throws {
        var s = S([Fixtures.drafted, .termsProposed(.init(termsVersion: 1, terms: Fixtures.terms()))])
        try s.file(.signed(.init(side: .government, signatory: "王", title: "主任", termsVersion: 1)), by: Fixtures.governmentActor)
        #expect(s.state.status == .drafted)
        // The committee refuses version 1; the government's signature no longer counts.
        try s.file(.signingRefused(.init(side: .committee, termsVersion: 1, reason: "经费不足")), by: Fixtures.committeeActor)
        s.expectRefusal(.signed(.init(side: .committee, signatory: "李", title: "主任", termsVersion: 1)), by: Fixtures.committeeActor, rule: "sign-latest-version")
        try s.file(.termsProposed(.init(termsVersion: 2, terms: Fixtures.terms(funding: 150_000_00))), by: Fixtures.governmentActor)
        let committeeFirst = try s.when(.signed(.init(side: .committee, signatory: "李", title: "主任", termsVersion: 2)), by: Fixtures.committeeActor)
        #expect(committeeFirst.map(\.typeName) == ["AgreementSigned"])
        try s.file(.signed(.init(side: .committee, signatory: "李", title: "主任", termsVersion: 2)), by: Fixtures.committeeActor)
        let both = try s.when(.signed(.init(side: .government, signatory: "王", title: "主任", termsVersion: 2)), by: Fixtures.governmentActor, at: Fixtures.on("2026-01-12"))
        #expect(both == [
            .signed(.init(side: .government, signatory: "王", title: "主任", termsVersion: 2)),
            .tookEffect(.init(termsVersion: 2, effectiveOn: LocalDate("2026-01-12")!, fundingTotal: 180_000_00)),
        ])
    }

    @Test func eachSideSignsOnlyForItself() {
        let s = S([Fixtures.drafted, .termsProposed(.init(termsVersion: 1, terms: Fixtures.terms()))])
        s.expectRefusal(.signed(.init(side: .committee, signatory: "王", title: "主任", termsVersion: 1)), by: Fixtures.governmentActor, rule: "own-events-only", kind: .forbidden)
        let strangerCommittee = Actor(name: "x", role: .committee, party: Fixtures.otherCommittee)
        s.expectRefusal(.signed(.init(side: .committee, signatory: "x", title: "x", termsVersion: 1)), by: strangerCommittee, rule: "own-events-only")
    }

    @Test func fundingFollowsTheTaskBeforeSigning() throws {
        // Item i1 has neither money nor working conditions: signing names it.
        let unfunded = S([Fixtures.drafted, .termsProposed(.init(termsVersion: 1, terms: Fixtures.terms(funding: 0)))])
        do {
            _ = try unfunded.when(.signed(.init(side: .government, signatory: "王", title: "主任", termsVersion: 1)), by: Fixtures.governmentActor)
            Issue.record("signed an unfunded item")
        } catch {
            #expect(error.rule == "funding-follows-task")
            #expect(error.message.contains("i1") && error.message.contains("费随事转"))
        }
        // Working conditions count as what the government provides for the task.
        let conditions = S([Fixtures.drafted, .termsProposed(.init(termsVersion: 1, terms: Fixtures.terms(funding: 0, conditions: "提供办公用房")))])
        #expect(throws: Never.self) { try conditions.when(.signed(.init(side: .government, signatory: "王", title: "主任", termsVersion: 1)), by: Fixtures.governmentActor) }
        // The schedule must pay what is promised.
        let short = S([Fixtures.drafted, .termsProposed(.init(termsVersion: 1, terms: Fixtures.terms(installments: [100_000_00])))])
        short.expectRefusal(.signed(.init(side: .government, signatory: "王", title: "主任", termsVersion: 1)), by: Fixtures.governmentActor, rule: "schedule-matches-funding")
    }

    @Test func termsChangeOnlyThroughASignedAmendment() throws {
        var s = S(Fixtures.inEffect)
        s.expectRefusal(.termsProposed(.init(termsVersion: 2, terms: Fixtures.terms())), by: Fixtures.governmentActor, rule: "amend-after-effect")
        let raised = Fixtures.terms(funding: 150_000_00)
        try s.file(.amendmentProposed(.init(amendmentId: "am1", proposedBy: .government, rationale: "增加人口普查工作量", terms: raised)), by: Fixtures.governmentActor)
        s.expectRefusal(.amendmentProposed(.init(amendmentId: "am2", proposedBy: .committee, rationale: "x", terms: raised)), by: Fixtures.committeeActor, rule: "one-open-amendment")
        try s.file(.amendmentSigned(.init(amendmentId: "am1", side: .government, signatory: "王", title: "主任")), by: Fixtures.governmentActor)
        #expect(s.state.effectiveTerms?.fundingTotal == 150_000_00)
        let effect = try s.when(.amendmentSigned(.init(amendmentId: "am1", side: .committee, signatory: "李", title: "主任")), by: Fixtures.committeeActor)
        #expect(effect.last == .amendmentTookEffect(.init(amendmentId: "am1", termsVersion: 2, fundingTotal: 180_000_00)))
        s.history += effect
        #expect(s.state.effectiveTerms?.fundingTotal == 180_000_00)
        s.expectRefusal(.amendmentSigned(.init(amendmentId: "am1", side: .committee, signatory: "李", title: "主任")), by: Fixtures.committeeActor, rule: "amendment-open")
    }

    @Test func amendmentsAreWithdrawnByTheProposerAndRefusedByTheOtherSide() throws {
        var s = S(Fixtures.inEffect)
        try s.file(.amendmentProposed(.init(amendmentId: "am1", proposedBy: .committee, rationale: "减少事项", terms: Fixtures.terms())), by: Fixtures.committeeActor)
        s.expectRefusal(.amendmentWithdrawn(.init(amendmentId: "am1", reason: "x")), by: Fixtures.governmentActor, rule: "own-events-only")
        s.expectRefusal(.amendmentRefused(.init(amendmentId: "am1", reason: "x")), by: Fixtures.committeeActor, rule: "own-events-only")
        try s.file(.amendmentRefused(.init(amendmentId: "am1", reason: "不同意")), by: Fixtures.governmentActor)
        #expect(s.state.amendments["am1"]?.status == .refused)
        #expect(s.state.effectiveTermsVersion == 1)
    }

    @Test func theServiceRecordsTakingEffectNotTheFiler() {
        S([Fixtures.drafted]).expectRefusal(.tookEffect(.init(termsVersion: 1, effectiveOn: LocalDate("2026-01-01")!, fundingTotal: 0)), by: Fixtures.governmentActor, rule: "recorded-by-service")
    }

    @Test func occurredAtMayNotLieInTheFuture() {
        S().expectRefusal(Fixtures.drafted, by: Fixtures.governmentActor, at: Fixtures.now.addingTimeInterval(3600), rule: "not-in-future", field: "/occurredAt")
    }
}
