import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import ZhengsheAPI
import ZhengsheProjections
import ZhengsheStore
import ZhengsheTestSupport

/// "What do we owe, what are we owed, what is late" over HTTP.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct ObligationsAPITests {
    @Test func theCommitteeAndItsStreetSeeWhatIsOwedAndLate() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        let projections: [any Projection] = [FundingProjection(), ObligationsProjection()]
        let runners = projections.map { projection in
            Task { await ProjectionRunner(projection: projection, store: database.store, logger: database.logger).runUntilCancelled() }
        }
        defer { for runner in runners { runner.cancel() } }
        try await app.test(.router) { client in
            try await Script.bringIntoEffect(client, p)
            let report = try await client.file("DutyReported", ["reportId": "r-03", "itemId": "i1", "period": "2026-03", "indicatorValues": ["records": 96]],
                                               token: p.committee, on: "2026-04-20")
            let position = try #require(report.json["globalPosition"] as? Int)

            // As of the year's last day (the test clock): i1 monthly, i2 quarterly; one report filed, not yet verified.
            let mine = try await client.call(.get, "/v1/committees/320412001001/obligations?year=2026&minPosition=\(position)", token: p.committee)
            #expect(mine.status == .ok, "\(mine.json)")
            let summary = mine.json["summary"] as? [String: Int]
            #expect(summary == ["verified": 0, "awaitingVerification": 1, "rejected": 0, "overdue": 13, "dueSoon": 2, "upcoming": 0])
            #expect((mine.json["owed"] as? [String: Any])?["outstanding"] as? Int == 12_000_000, "nothing transferred of what fell due")
            let waiting = try await client.call(.get, "/v1/committees/320412001001/obligations?year=2026&status=awaitingVerification", token: p.committee)
            let lines = waiting.json["reports"] as? [[String: Any]]
            #expect(lines?.count == 1 && lines?.first?["reportId"] as? String == "r-03" && lines?.first?["days"] as? Int == 255)
            // As of 30 April: January to March overdue bar the one reported, Q1 overdue, April and Q2 not yet.
            let april = try await client.call(.get, "/v1/committees/320412001001/obligations?year=2026&asOf=2026-04-30", token: p.committee)
            #expect((april.json["summary"] as? [String: Int])?["overdue"] == 3)

            // The street: the same counts, one line per committee.
            let street = try await client.call(.get, "/v1/governments/320412001/obligations?year=2026", token: p.government)
            #expect(street.status == .ok && street.json["summary"] as? [String: Int] == summary)
            #expect((street.json["committees"] as? [[String: Any]])?.map { $0["committee"] as? String } == ["320412001001"])

            // The street's line for its committee, in the order asked; an order it does not know is a 400 naming the parameter.
            let sorted = try await client.call(.get, "/v1/governments/320412001/obligations?year=2026&sort=overdue", token: p.government)
            let line = (sorted.json["committees"] as? [[String: Any]])?.first
            #expect(line?["overdue"] == nil && (line?["summary"] as? [String: Int])?["overdue"] == 13 && line?["outstanding"] as? Int == 12_000_000)
            #expect(line?["refusals"] as? Int == 0 && line?["claimsWaitingGovernment"] as? Int == 0 && line?["agreement"] as? String == "320412001001-2026")
            #expect(sorted.json["claims"] as? [Any] != nil && sorted.json["refusals"] as? [Any] != nil && sorted.json["guidanceGiven"] as? Int == 0)
            let commitments = sorted.json["commitments"] as? [[String: Any]]
            #expect(commitments?.map { $0["commitmentId"] as? String } == ["g1"] && commitments?.first?["given"] as? Int == 0)
            let unknownOrder = try await client.call(.get, "/v1/governments/320412001/obligations?year=2026&sort=size", token: p.government)
            #expect(unknownOrder.status == .badRequest && unknownOrder.field == "/sort", "\(unknownOrder.json)")

            for (path, token, status) in [
                ("/v1/committees/320412001001/obligations", p.otherCommittee, HTTPResponse.Status.notFound),
                ("/v1/committees/320412001001/obligations", p.otherGovernment, .notFound),
                ("/v1/committees/320412001001/obligations", p.district, .ok),
                ("/v1/committees/320412001001/obligations", p.evaluator, .ok),
                ("/v1/governments/320412001/obligations", p.committee, .notFound),
                ("/v1/governments/320412001/obligations", p.otherDistrict, .notFound),
            ] {
                #expect(try await client.call(.get, path + "?year=2026", token: token).status == status, "\(path)")
            }

            try await client.execute(uri: "/v1/committees/320412001001/obligations?year=2026&format=csv&status=overdue", method: .get,
                                     headers: [.authorization: "Bearer \(p.committee)"]) { response in
                let bytes = Array(response.body.readableBytesView)
                #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
                let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
                #expect(lines.count == 14 && lines[0].hasPrefix("agreement 协议,") && lines[1].contains("overdue 逾期"))
            }
        }
    }
}
