import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhengsheAPI
import ZhengsheStore
import ZhengsheTestSupport

/// Every role against every endpoint, on an agreement and lists in district 320412.
@Suite(.database, .timeLimit(.minutes(2))) struct AccessTests {
    @Test func everyRoleAgainstEveryEndpoint() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await Script.bringIntoEffect(client, p)
            let agreement = "/v1/agreements/\(Parties.agreement)"
            let lists = "/v1/districts/320412/lists/2026"
            let guidance: [String: Any] = ["guidanceId": "g", "kind": "visit", "summary": "x"]
            let receipt: [String: Any] = ["transferId": "none"]

            // (token, can read the agreement, status of a government filing, status of reading the lists)
            let cases: [(String, String, HTTPResponse.Status, HTTPResponse.Status, HTTPResponse.Status)] = [
                ("government", p.government, .ok, .created, .ok),
                ("committee", p.committee, .ok, .forbidden, .ok),
                ("district", p.district, .ok, .forbidden, .ok),
                ("evaluator", p.evaluator, .ok, .forbidden, .ok),
                ("admin", p.admin, .ok, .forbidden, .ok),
                // Told plainly that the committee is not in its street (the code in the address says so).
                ("other government", p.otherGovernment, .notFound, .forbidden, .ok),
                ("other committee", p.otherCommittee, .notFound, .notFound, .ok),
                ("other district", p.otherDistrict, .notFound, .notFound, .notFound),
            ]
            for (n, (role, token, read, fileGuidance, readLists)) in cases.enumerated() {
                let shown = try await client.call(.get, agreement, token: token)
                #expect(shown.status == read, "\(role) GET agreement")
                if read == .notFound { #expect(shown.json["terms"] == nil, "\(role) must not see the contents") }
                #expect(try await client.call(.get, agreement + "/events", token: token).status == read, "\(role) GET events")
                var filing = guidance
                filing["guidanceId"] = "g\(n)"
                #expect(try await client.file("GuidanceGiven", filing, token: token).status == fileGuidance, "\(role) POST GuidanceGiven")
                #expect(try await client.call(.get, lists, token: token).status == readLists, "\(role) GET lists")
            }
            let elsewhere = try await client.file("GuidanceGiven", guidance, token: p.otherGovernment)
            #expect(elsewhere.rule == "committee-in-street" && elsewhere.field == "/id" && (elsewhere.json["detail"] as? String)?.contains("不属于本街道") == true,
                    "\(elsewhere.json)")
            // Committee filings: only the committee gets past the rules (to a 422 here: no such transfer).
            #expect(try await client.file("ReceiptConfirmed", receipt, token: p.committee).status == .unprocessableContent)
            #expect(try await client.file("ReceiptConfirmed", receipt, token: p.government).status == .forbidden)
            // Lists: only the district publishes; a government requests admission.
            let publish: [String: Any] = ["list": "assistance", "code": "A09", "title": "新增事项"]
            #expect(try await client.list("ListItemPublished", publish, token: p.government).status == .forbidden)
            #expect(try await client.list("ListItemPublished", publish, token: p.otherDistrict).status == .notFound)
            #expect(try await client.list("ListItemPublished", publish, token: p.district).status == .created)
            #expect(try await client.list("AdmissionRequested", ["admissionId": "ADM-9", "department": "统计局", "kind": "survey", "title": "抽样调查"], token: p.committee).status == .forbidden)
            #expect(try await client.list("AdmissionRequested", ["admissionId": "ADM-9", "department": "统计局", "kind": "survey", "title": "抽样调查"], token: p.otherGovernment).status == .created)
            // Every filing records its actor.
            let events = try await client.call(.get, agreement + "/events", token: p.government).json["events"] as? [[String: Any]]
            let metadata = events?.last?["metadata"] as? [String: Any]
            #expect(metadata?["actor"] as? String == "government 320412001" && metadata?["party"] as? String == "320412001")
        }
    }

    @Test func theContractIsServed() async throws {
        let database = try TestDatabase.current
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("\nopenapi: 3.1.0\n"))
            }
        }
    }
}
