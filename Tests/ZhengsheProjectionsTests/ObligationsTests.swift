import Foundation
import Testing
@testable import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore
import ZhengsheTestSupport

/// A committee's duty reports on the hand-built year: where each stands as of a date, worked out by hand.
@Suite(.timeLimit(.minutes(2))) struct ObligationsTests {
    typealias Status = ReportObligations.Status

    @Test(.database) func whatTheCommitteeOwesAsOfEachDate() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        try await year.secondHalf()
        try await ProjectionRunnerTests.catchUpAll(database)

        func report(_ asOf: String, by actor: Actor? = nil) async throws -> Obligations.Report {
            try await year.app.obligations.committee("320412001001", .init(year: 2026, asOf: LocalDate(asOf)), for: actor ?? year.committee)
        }
        func status(_ report: Obligations.Report, _ period: String) -> Status? { report.lines.first { $0.period == period }?.status }

        // 15 April: January verified (late), February refiled and waiting 41 days, March overdue
        // by 15 days, April due in 15, the rest later. One item, twelve monthly reports.
        let april = try await report("2026-04-15")
        #expect(april.lines.count == 12)
        #expect(status(april, "2026-01") == .verified && april.lines[0].onTime == false)
        let february = try #require(april.lines.first { $0.period == "2026-02" })
        #expect(february.status == .awaitingVerification && february.reportId == "r-02b" && february.days == 41)
        let march = try #require(april.lines.first { $0.period == "2026-03" })
        #expect(march.status == .overdue && march.days == 15)
        #expect(status(april, "2026-04") == .dueSoon)
        #expect(status(april, "2026-05") == .upcoming)
        #expect(april.summary.counts == [.verified: 1, .awaitingVerification: 1, .overdue: 1, .dueSoon: 1, .upcoming: 8])

        // 3 March: February was rejected the day before and its due date has passed.
        let early = try await report("2026-03-03")
        #expect(status(early, "2026-02") == .overdue && status(early, "2026-01") == .verified && status(early, "2026-03") == .dueSoon)
        // 1 March: rejected the next day; as of 1 March it was still waiting for verification.
        #expect(status(try await report("2026-03-01"), "2026-02") == .awaitingVerification)
        // The amendment (3 June) keeps the item: the year's twelve reports stand as before.
        let december = try await report("2026-12-31")
        #expect(december.lines.count == 12 && december.summary.count(.overdue) == 9 && december.summary.count(.dueSoon) == 1, "March to November overdue; December due that day")

        // The street sees its committee's; other committees and other streets see nothing.
        let street = try await year.app.obligations.government("320412001", .init(year: 2026, asOf: LocalDate("2026-04-15")), for: year.government)
        #expect(street.summary == april.summary)
        await #expect(throws: ApplicationError.notFound("committee 320412001001", field: "/committee")) {
            try await report("2026-04-15", by: Actor(name: "x", role: .committee, party: PartyCode("320412001002")))
        }
        await #expect(throws: ApplicationError.notFound("street/town 320412001", field: "/government")) {
            try await year.app.obligations.government("320412001", .init(year: 2026), for: year.committee)
        }
    }
}

/// The government's side of the hand-built year: its commitments against the guidance given,
/// open claims and who must act, refused tasks, and the street's line for its committee.
@Suite(.timeLimit(.minutes(2))) struct GovernmentSideTests {
    @Test(.database) func commitmentsClaimsAndRefusalsAsOfEachDate() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        try await ProjectionRunnerTests.catchUpAll(database)
        let betweenHalves = Date()
        try await Task.sleep(for: .milliseconds(20))
        try await year.secondHalf()
        try await ProjectionRunnerTests.catchUpAll(database)
        func street(_ asOf: String, knownAt: Date? = nil) async throws -> Obligations.Report {
            try await year.app.obligations.government("320412001", .init(year: 2026, asOf: LocalDate(asOf), knownAt: knownAt), for: year.government)
        }
        func given(_ report: Obligations.Report) -> [String: Int?] {
            Dictionary(uniqueKeysWithValues: report.commitments.map { ($0.commitmentId, $0.given) })
        }

        // 15 April: one visit on i1 answers g-visit; training not yet; working conditions are not filed as guidance.
        let april = try await street("2026-04-15")
        #expect(given(april) == ["g-visit": 1, "g-train": 0, "g-room": nil])
        #expect(april.commitments.first { $0.commitmentId == "g-visit" }?.lastGivenOn == LocalDate("2026-03-10"))
        #expect(april.guidanceGiven == 1 && april.claims.isEmpty)
        #expect(april.refusals.map(\.refusalId) == ["x1"] && april.refusals.first?.admitted == false)
        let line = try #require(april.committees.first)
        #expect(april.committees.count == 1 && line.committee == "320412001001" && line.agreement == "320412001001-2026")
        #expect(line.refusals == 1 && line.refusalsNotAdmitted == 1 && line.guidanceGiven == 1 && line.commitmentsUnanswered == 1)
        #expect(line.summary == april.summary && line.funding.transferred == 5_000_000 && line.funding.installmentsLate == 1)
        // Before the visit: nothing given, two commitments unanswered.
        let march = try await street("2026-03-09")
        #expect(given(march) == ["g-visit": 0, "g-train": 0, "g-room": nil] && march.committees.first?.commitmentsUnanswered == 2)
        #expect(march.refusals.isEmpty, "refused on 20 March")

        // 10 October: the committee's claim of 5 October is unanswered: the government must act.
        let october = try await street("2026-10-10")
        #expect(october.claims.map(\.claimId) == ["b1"] && october.claims.first?.mustAct == "government")
        #expect(october.committees.first?.claimsWaitingGovernment == 1)
        // Year end: b1 settled without a rectification deadline (done); b2 waits for the committee's answer.
        let yearEnd = try await street("2026-12-31")
        #expect(yearEnd.claims.map(\.claimId) == ["b2"] && yearEnd.claims.first?.mustAct == "committee")
        let end = try #require(yearEnd.committees.first)
        #expect(end.claimsWaitingGovernment == 0 && end.claimsWaitingCommittee == 1 && end.commitmentsUnanswered == 0 && end.guidanceGiven == 2)
        #expect(end.funding.outstanding == 2_000_000 && end.funding.installmentsLate == 2)
        // The committee sees the same of its own agreement.
        let own = try await year.app.obligations.committee("320412001001", .init(year: 2026, asOf: LocalDate("2026-12-31")), for: year.committee)
        #expect(own.claims == yearEnd.claims && own.commitments == yearEnd.commitments && own.refusals == yearEnd.refusals && own.owed == end.funding)
        // Year end as known between the halves: no training recorded yet, no claims.
        let known = try await street("2026-12-31", knownAt: betweenHalves)
        #expect(given(known)["g-train"] == 0 && known.guidanceGiven == 1 && known.claims.isEmpty)
    }
}

/// A street's committees listed by the figure asked, largest first, ties by code.
@Suite struct CommitteeOrderTests {
    @Test func largestFirstThenByCode() {
        func line(_ committee: String, overdue: Int, outstanding: Int64, refusals: Int) -> Obligations.CommitteeLine {
            var funding = FundingLedger.Figures()
            funding.due = outstanding
            var line = Obligations.CommitteeLine(committee: committee, agreement: "\(committee)-2026", summary: .init(counts: [.overdue: overdue]), funding: funding)
            line.refusals = refusals
            return line
        }
        let lines = [line("320412001003", overdue: 2, outstanding: 0, refusals: 1), line("320412001001", overdue: 5, outstanding: 100, refusals: 1),
                     line("320412001002", overdue: 2, outstanding: 300, refusals: 0)]
        #expect(Obligations.sorted(lines, by: .committee).map(\.committee) == ["320412001001", "320412001002", "320412001003"])
        #expect(Obligations.sorted(lines, by: .overdue).map(\.committee) == ["320412001001", "320412001002", "320412001003"])
        #expect(Obligations.sorted(lines, by: .outstanding).map(\.committee) == ["320412001002", "320412001001", "320412001003"])
        #expect(Obligations.sorted(lines, by: .refusals).map(\.committee) == ["320412001001", "320412001003", "320412001002"])
    }
}

/// What an amendment and a termination change in what is owed: only what falls due after them.
@Suite(.timeLimit(.minutes(2))) struct ObligationChangesTests {
    @Test(.database) func anAmendmentAddsReportsOnlyFromItsEffectAndATerminationEndsThem() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        try await year.file("ListItemPublished", ["list": "assistance", "code": "A02", "title": "安全巡查"], by: year.bureau, on: "2026-06-20")
        var terms = HandBuiltYear.terms(10_000_000, extra: 1_000_000)
        var items = terms["items"] as! [[String: Any]]
        items[0]["funding"] = 10_000_000
        items.append(["itemId": "i2", "code": "A02", "title": "安全巡查", "indicators": [] as [Any], "frequency": "monthly", "funding": 1_000_000])
        terms["items"] = items
        try await year.file("AmendmentProposed", ["amendmentId": "am2", "proposedBy": "government", "rationale": "新增巡查", "terms": terms], by: year.government, on: "2026-06-28")
        try await year.file("AmendmentSigned", ["amendmentId": "am2", "side": "government", "signatory": "王", "title": "主任"], by: year.government, on: "2026-06-30")
        try await year.file("AmendmentSigned", ["amendmentId": "am2", "side": "committee", "signatory": "李", "title": "主任"], by: year.committee, on: "2026-07-01")
        try await ProjectionRunnerTests.catchUpAll(database)

        func lines(_ asOf: String) async throws -> [ReportObligations.Line] {
            try await year.app.obligations.committee("320412001001", .init(year: 2026, asOf: LocalDate(asOf)), for: year.committee).lines
        }
        // 15 August: the new item owes July (overdue) and August (due soon) on, not January to June.
        let august = try await lines("2026-08-15").filter { $0.itemId == "i2" }
        #expect(august.map(\.period) == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"])
        #expect(august.first?.status == .overdue && august.first?.days == 15 && august[1].status == .dueSoon)
        // Before the amendment took effect, the item was owed nothing.
        #expect(try await lines("2026-06-30").filter { $0.itemId == "i2" }.isEmpty)

        try await year.file("AgreementTerminated", ["by": "district", "reason": "社区撤并"], by: year.bureau, on: "2026-09-10")
        try await ProjectionRunnerTests.catchUpAll(database)
        // Terminated on 10 September: nothing falls due after it.
        let december = try await lines("2026-12-31")
        #expect(december.allSatisfy { $0.dueDate <= LocalDate("2026-09-10")! })
        #expect(december.filter { $0.itemId == "i1" }.count == 8 && december.filter { $0.itemId == "i2" }.count == 2)
        // As of 5 September the termination had not happened: September is still owed.
        #expect(try await lines("2026-09-05").contains { $0.period == "2026-09" })
    }

    /// An amendment whose signing is dated before the version it amends took effect: each due
    /// date still falls to the highest version in force on it, so the amendment governs the
    /// whole year.
    @Test(.database) func theHighestVersionInForceGovernsEvenWhenItTookEffectEarlier() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.file("ListItemPublished", ["list": "assistance", "code": "A02", "title": "安全巡查"], by: year.bureau, on: "2026-01-02")
        try await year.firstHalf()  // version 1 in force from 9 January
        var terms = HandBuiltYear.terms(10_000_000)
        var items = terms["items"] as! [[String: Any]]
        items[0]["funding"] = 9_000_000
        items.append(["itemId": "i2", "code": "A02", "title": "安全巡查", "indicators": [] as [Any], "frequency": "monthly", "funding": 1_000_000])
        terms["items"] = items
        // Filed later, dated 6 and 7 January: version 2 in force from 7 January.
        try await year.file("AmendmentProposed", ["amendmentId": "am0", "proposedBy": "government", "rationale": "补签", "terms": terms], by: year.government, on: "2026-01-06")
        try await year.file("AmendmentSigned", ["amendmentId": "am0", "side": "government", "signatory": "王", "title": "主任"], by: year.government, on: "2026-01-06")
        try await year.file("AmendmentSigned", ["amendmentId": "am0", "side": "committee", "signatory": "李", "title": "主任"], by: year.committee, on: "2026-01-07")
        try await ProjectionRunnerTests.catchUpAll(database)
        let report = try await year.app.obligations.committee("320412001001", .init(year: 2026, asOf: LocalDate("2026-12-31")), for: year.committee)
        #expect(report.lines.filter { $0.itemId == "i2" }.count == 12, "version 2 is the highest in force on every due date")
        #expect(report.lines.filter { $0.itemId == "i1" }.count == 12)
    }
}
