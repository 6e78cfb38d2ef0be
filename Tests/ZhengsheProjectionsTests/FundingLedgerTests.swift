import Foundation
import PostgresNIO
import Testing
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore
import ZhengsheTestSupport

/// Every figure of the funding ledger on the hand-built year, worked out by hand: as of several
/// dates, and as known before the second half was recorded.
@Suite(.timeLimit(.minutes(2))) struct FundingLedgerTests {
    typealias Figures = FundingLedger.Figures

    @Test(.database) func theLedgerAsOfEachDateAndAsKnownEarlier() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        let runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)
        try await year.firstHalf()
        try await ProjectionRunnerTests.catchUp(runner, database)
        try await Task.sleep(for: .milliseconds(20))
        let betweenHalves = Date()
        try await Task.sleep(for: .milliseconds(20))
        try await year.secondHalf()
        try await ProjectionRunnerTests.catchUp(runner, database)

        let ledger = FundingLedger(client: database.client, logger: database.logger)
        func figures(asOf: String, knownAt: Date = Date()) async throws -> Figures {
            let lines = try await ledger.lines(.district("320412"), year: 2026, asOf: asOf, knownAt: knownAt)
            try #require(lines.count == 1)
            return lines[0].figures
        }
        // Year end: terms v2 (12,000,000 in 3 installments); t1 late but confirmed, t2 on time but
        // 500,000 short, p3 never paid; 200,000 deducted from the government.
        #expect(try await figures(asOf: "2026-12-31") == Figures(
            promised: 12_000_000, scheduled: 12_000_000, due: 12_000_000, transferred: 10_000_000, confirmed: 5_000_000, disputed: 500_000,
            deductedFromCommittee: 0, deductedFromGovernment: 200_000, installmentsDue: 3, installmentsLate: 2, items: 1, itemsFunded: 1, agreements: 1))
        #expect(try await figures(asOf: "2026-12-31").outstanding == 2_000_000)
        // 30 June: the amendment is in force (from 3 June); only p1 has fallen due, paid late.
        #expect(try await figures(asOf: "2026-06-30") == Figures(
            promised: 12_000_000, scheduled: 12_000_000, due: 5_000_000, transferred: 5_000_000, confirmed: 5_000_000, disputed: 0,
            installmentsDue: 1, installmentsLate: 1, items: 1, itemsFunded: 1, agreements: 1))
        // 31 May: still the original terms.
        #expect(try await figures(asOf: "2026-05-31").promised == 10_000_000)
        #expect(try await figures(asOf: "2026-05-31").scheduled == 10_000_000)
        // 31 March: p1 due that day and unpaid.
        let march = try await figures(asOf: "2026-03-31")
        #expect(march.due == 5_000_000 && march.transferred == 0 && march.outstanding == 5_000_000 && march.installmentsLate == 1)
        // Before the agreement was drafted: nothing.
        #expect(try await ledger.lines(.district("320412"), year: 2026, asOf: "2026-01-04", knownAt: Date()).isEmpty)
        // Year end as known before the second half was recorded: no amendment, no t2, no claim.
        #expect(try await figures(asOf: "2026-12-31", knownAt: betweenHalves) == Figures(
            promised: 10_000_000, scheduled: 10_000_000, due: 10_000_000, transferred: 5_000_000, confirmed: 5_000_000, disputed: 0,
            installmentsDue: 2, installmentsLate: 2, items: 1, itemsFunded: 1, agreements: 1))
        // The scopes agree: the street's and the agreement's lines are the district's.
        let street = try await ledger.lines(.government("320412001"), year: 2026, asOf: "2026-12-31", knownAt: Date())
        let one = try await ledger.lines(.agreement("320412001001-2026"), year: 2026, asOf: "2026-12-31", knownAt: Date())
        let yearEnd = try await figures(asOf: "2026-12-31")
        #expect(street == one && one.first?.figures == yearEnd)
        #expect(try await ledger.lines(.government("320412002"), year: 2026, asOf: "2026-12-31", knownAt: Date()).isEmpty)
    }

    /// The application answers only those who may see a scope, and waits for the read side to
    /// reflect a filing before it answers (read-your-writes).
    @Test(.database) func accessAndReadYourWrites() async throws {
        let database = try TestDatabase.current
        let year = HandBuiltYear(database)
        try await year.firstHalf()
        let head = try #require(try await ProjectionRunnerTests.lastPosition(database))
        let query = Funding.Query(year: 2026, minPosition: head, wait: .milliseconds(300))
        // Nothing runs the projection yet: the answer says so rather than answer stale figures.
        await #expect(throws: ApplicationError.projectionLag(projection: "funding", position: head)) {
            try await year.app.funding.report(.district("320412"), query, for: year.bureau)
        }
        let runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)
        let running = Task { await runner.runUntilCancelled() }
        defer { running.cancel() }
        let report = try await year.app.funding.report(.district("320412"), Funding.Query(year: 2026, minPosition: head), for: year.bureau)
        #expect(report.totals.transferred == 5_000_000 && report.streets.map(\.government) == ["320412001"])

        let evaluator = Actor(name: "评估方", role: .evaluator, party: PartyCode("320412"), year: 2026)
        let lastYearsEvaluator = Actor(name: "评估方", role: .evaluator, party: PartyCode("320412"), year: 2025)
        _ = try await year.app.funding.report(.district("320412"), .init(year: 2026), for: evaluator)
        _ = try await year.app.funding.report(.government("320412001"), .init(year: 2026), for: year.government)
        _ = try await year.app.funding.report(.agreement("320412001001-2026"), .init(year: 2026), for: year.committee)
        for (scope, actor) in [
            (FundingLedger.Scope.district("320412"), year.government), (.district("320412"), lastYearsEvaluator), (.government("320412001"), year.committee),
            (.agreement("320412001001-2026"), Actor(name: "x", role: .committee, party: PartyCode("320412001002"))),
        ] {
            await #expect(throws: ApplicationError.self, "\(scope) for \(actor.role)") { try await year.app.funding.report(scope, .init(year: 2026), for: actor) }
        }
    }
}
