import Foundation
import Testing
import ZhengsheApplication
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
        try await ProjectionRunnerTests.catchUp(ProjectionRunner(projection: ObligationsProjection(), store: database.store, logger: database.logger), database)

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
        try await ProjectionRunnerTests.catchUp(ProjectionRunner(projection: ObligationsProjection(), store: database.store, logger: database.logger), database)

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
        try await ProjectionRunnerTests.catchUp(ProjectionRunner(projection: ObligationsProjection(), store: database.store, logger: database.logger), database)
        // Terminated on 10 September: nothing falls due after it.
        let december = try await lines("2026-12-31")
        #expect(december.allSatisfy { $0.dueDate <= LocalDate("2026-09-10")! })
        #expect(december.filter { $0.itemId == "i1" }.count == 8 && december.filter { $0.itemId == "i2" }.count == 2)
        // As of 5 September the termination had not happened: September is still owed.
        #expect(try await lines("2026-09-05").contains { $0.period == "2026-09" })
    }
}
