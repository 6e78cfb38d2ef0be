import Foundation
import Testing
import ZhengsheApplication
@testable import ZhengsheDemo
import ZhengsheDomain
import ZhengsheStore
import ZhengsheTestSupport

@Suite(.database, .timeLimit(.minutes(3))) struct DemoSeedTests {
    /// A small city through the deciders: nothing refused, every chain intact, the shapes the
    /// benchmark relies on present.
    @Test func seedsASmallCityThatTheRulesAccept() async throws {
        let database = try TestDatabase.current
        let plan = CityPlan(committees: 12, districts: 2, year: 2025, seed: 7)
        let summary = try await CityGenerator(plan: plan, store: database.store, logger: database.logger, cutoff: Date()).run()
        #expect(summary.refused == 0)
        #expect(summary.districts == 2)
        #expect(summary.agreements == plan.committeeCount)
        #expect(summary.events > plan.committeeCount * 100)
        let report = try await ChainVerifier(client: database.client, logger: database.logger).verify()
        #expect(report.isIntact && report.events == summary.events)

        let first = plan.committees(in: plan.streets(in: plan.districtCodes[0])[0])[0]
        let events = try await database.store.readStream(try StreamID(AgreementID(committee: first, year: 2025)!.stream), from: 1, limit: 10_000)
        let types = Set(events.map(\.type))
        #expect(types.isSuperset(of: ["AgreementDrafted", "TermsProposed", "AgreementTookEffect", "DutyReported", "ReportVerified", "FundsTransferred", "AgreementClosed"]))
        let state = AgreementDecider().fold(try events.map { try AgreementEvent.decode(typeName: $0.type, data: Data($0.data.utf8)) })
        #expect(state.status == .closed)
        #expect((20...80).contains(state.effectiveTerms?.items.count ?? 0))

        // Each district's evaluation carries both sides' scores and a survey for every committee.
        let district = plan.districtCodes[0]
        let id = EvaluationID(district: district, year: 2025)!
        let evaluation = try await database.store.readStream(try StreamID(id.stream), from: 1, limit: 10_000)
        let folded = EvaluationDecider(id).fold(try evaluation.map { try EvaluationEvent.decode(typeName: $0.type, data: Data($0.data.utf8)) })
        let committees = plan.streets(in: district).flatMap { plan.committees(in: $0) }.map(\.rawValue)
        #expect(folded.status == .open && folded.scheme?.schemeId == "changzhou-2025")
        #expect(Set(folded.surveys.keys) == Set(committees) && Set(folded.committeeAssessments.keys) == Set(committees)
                && Set(folded.governmentAssessments.keys) == Set(committees))
    }

    @Test func theSameSeedMakesTheSameCity() throws {
        func script(_ seed: UInt64) throws -> [String] {
            let plan = CityPlan(committees: 4, districts: 1, year: 2025, seed: seed)
            let district = plan.districtCodes[0]
            let catalogue = try CityGenerator(plan: plan, store: TestDatabase.current.store, logger: TestDatabase.current.logger).catalogue(for: district)
            let committee = plan.committees(in: plan.streets(in: district)[0])[0]
            let filings = AgreementScript(plan: plan, committee: committee, catalogue: catalogue, cutoff: Date(),
                                          random: SeededRandom(seed: seed).fork("agreement-\(committee)")).filings()
            let decided = BulkFiling.decide(filings, decider: AgreementDecider(), lookups: catalogue, now: Date(), requestID: "test")
            #expect(decided.refused == 0)
            #expect(decided.events.count > 100)
            let events = decided.events
            return events.map { "\($0.type) \(String(decoding: $0.data, as: UTF8.self)) \($0.occurredAt)" }
        }
        #expect(try script(99) == script(99))
        #expect(try script(99) != script(100))
    }
}

/// The demo city's committee codes: unique within a street however large, residents' committees
/// 001–199 and villages 200–399 first, as the statistical codes have them.
@Suite struct CityPlanTests {
    @Test func everyCommitteeOfAStreetHasItsOwnCode() {
        for perStreet in [1, 3, 42, 250, 500] {
            let plan = CityPlan(committees: perStreet, districts: 1, streetsPerDistrict: 1, year: 2026)
            let codes = plan.committees(in: plan.streets(in: plan.districtCodes[0])[0]).map { Int($0.rawValue.suffix(3))! }
            #expect(codes.count == perStreet && Set(codes).count == perStreet, "\(perStreet) a street")
            #expect(codes.prefix(6) == [1, 2, 200, 3, 4, 201].prefix(perStreet))
            #expect(codes.allSatisfy { (1...899).contains($0) })
        }
    }
}
