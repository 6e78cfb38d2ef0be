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

/// The breach register and refused tasks over HTTP, as of dates, for the roles that may read them.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct RegistersAPITests {
    @Test func claimsAndRefusalsAsTheyStoodOnEachDate() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        let runner = Task { await ProjectionRunner(projection: RegistersProjection(), store: database.store, logger: database.logger).runUntilCancelled() }
        defer { runner.cancel() }
        try await app.test(.router) { client in
            try await Script.bringIntoEffect(client, p)
            try await Script.expectCreated(client.file("BreachClaimFiled", ["claimId": "b1", "claimant": "committee", "clauseId": "c-gov", "description": "经费逾期"],
                                                       token: p.committee, on: "2026-05-04"))
            try await Script.expectCreated(client.file("BreachClaimAnswered", ["claimId": "b1", "response": "审批延误"], token: p.government, on: "2026-05-10"))
            try await Script.expectCreated(client.file("BreachClaimSettled", ["claimId": "b1", "outcome": "partlyUpheld", "deduction": 200_000,
                                                                               "rectificationDeadline": "2026-06-30", "reasoning": "部分成立"], token: p.district, on: "2026-05-20"))
            try await Script.expectCreated(client.file("TaskRefused", ["refusalId": "x1", "requestingDepartment": "文明办", "task": "创建台账", "requestedOn": "2026-04-01"],
                                                       token: p.committee, on: "2026-04-02"))
            let last = try await client.file("TaskRefused", ["refusalId": "x2", "requestingDepartment": "文明办", "task": "悬挂牌匾", "requestedOn": "2026-07-01"],
                                             token: p.committee, on: "2026-07-02")
            let position = try #require(last.json["globalPosition"] as? Int)

            func claim(_ asOf: String) async throws -> [String: Any]? {
                let answer = try await client.call(.get, "/v1/districts/320412/claims?year=2026&asOf=\(asOf)&minPosition=\(position)", token: p.district)
                #expect(answer.status == .ok, "\(answer.json)")
                return (answer.json["claims"] as? [[String: Any]])?.first
            }
            #expect(try await claim("2026-05-03") == nil, "not filed yet")
            let filed = try await claim("2026-05-05")
            #expect(filed?["state"] as? String == "filed" && filed?["mustAct"] as? String == "government" && filed?["deductionCap"] as? Int == 500_000)
            #expect(try await claim("2026-05-15")?["mustAct"] as? String == "district")
            let settled = try await claim("2026-06-15")
            #expect(settled?["state"] as? String == "settled" && settled?["deduction"] as? Int == 200_000 && settled?["mustAct"] as? String == "government")
            #expect(settled?["rectificationOverdue"] as? Bool == false)
            #expect(try await claim("2026-07-15")?["rectificationOverdue"] as? Bool == true, "the deadline passed without rectification")

            let refusals = try await client.call(.get, "/v1/districts/320412/refusals?year=2026", token: p.evaluator)
            #expect(refusals.status == .ok)
            let departments = refusals.json["departments"] as? [[String: Any]]
            #expect(departments?.count == 1 && departments?.first?["department"] as? String == "文明办" && departments?.first?["unadmitted"] as? Int == 2)
            let june = try await client.call(.get, "/v1/districts/320412/refusals?year=2026&asOf=2026-06-30", token: p.district)
            #expect((june.json["refusals"] as? [[String: Any]])?.count == 1)

            for token in [p.government, p.committee, p.otherDistrict] {
                #expect(try await client.call(.get, "/v1/districts/320412/claims?year=2026", token: token).status == .notFound)
                #expect(try await client.call(.get, "/v1/districts/320412/refusals?year=2026", token: token).status == .notFound)
            }
            let csv = try await client.call(.get, "/v1/districts/320412/claims?year=2026&format=csv", token: p.district)
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
        }
    }
}
