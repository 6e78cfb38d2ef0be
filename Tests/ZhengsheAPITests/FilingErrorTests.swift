import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhengsheAPI
import ZhengsheStore
import ZhengsheTestSupport

/// Every class of refused request: its own status, a problem+json that names the field and the
/// rule, and nothing written.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct FilingErrorTests {
    func version(_ client: some TestClientProtocol, _ p: Parties) async throws -> String? {
        try await client.call(.get, "/v1/agreements/\(Parties.agreement)", token: p.government).headers[.eTag]
    }

    @Test func eachErrorHasItsStatusAndChangesNothing() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await Script.bringIntoEffect(client, p)
            let before = try await version(client, p)
            let uri = "/v1/agreements/\(Parties.agreement)/events"

            let malformed = try await client.call(.post, uri, token: p.committee, raw: Data(#"{"type": "DutyReported", "#.utf8))
            #expect(malformed.status == .badRequest && malformed.json["type"] as? String == "/problems/malformed-json")
            #expect(malformed.headers[.contentType] == "application/problem+json")

            let unknown = try await client.file("DutyFiled", ["x": 1], token: p.committee)
            #expect(unknown.status == .badRequest && unknown.field == "/type" && unknown.rule == "known-event-type")

            let missing = try await client.file("DutyReported", ["reportId": "r1", "itemId": "i1", "period": "2026-03"], token: p.committee)
            #expect(missing.status == .badRequest && missing.field == "/data/indicatorValues")

            let wrongType = try await client.file("FundsTransferred", ["transferId": "t", "installmentId": "p1", "amount": "100", "valueDate": "2026-03-01", "voucher": "v"], token: p.government)
            #expect(wrongType.status == .badRequest && wrongType.field == "/data/amount")

            let badTime = try await client.call(.post, uri, token: p.committee, body: ["type": "DutyReported", "occurredAt": "yesterday", "data": [:] as [String: Any]])
            #expect(badTime.status == .badRequest && badTime.field == "/occurredAt" && badTime.rule == "timestamp")

            let noTime = try await client.call(.post, uri, token: p.committee, body: ["type": "DutyReported", "data": [:] as [String: Any]])
            #expect(noTime.status == .badRequest && noTime.field == "/occurredAt")

            let text = try await client.call(.post, uri, token: p.committee, raw: Data("type=DutyReported".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(text.status == .unsupportedMediaType && text.field == "/Content-Type")

            let huge = try await client.call(.post, uri, token: p.committee, raw: Data(repeating: UInt8(ascii: " "), count: (1 << 20) + 1))
            #expect(huge.status == .contentTooLarge && huge.rule == "body-size" && huge.field == "", "\(huge.json)")

            let rule = try await client.file("FundsTransferred", ["transferId": "t9", "installmentId": "p1", "amount": 999_999_999, "valueDate": "2026-03-01", "voucher": "v"], token: p.government)
            #expect(rule.status == .unprocessableContent && rule.rule == "within-schedule" && rule.field == "/data/amount")
            #expect((rule.json["detail"] as? String)?.contains("补充协议") == true)

            let forbidden = try await client.file("DutyReported", ["reportId": "r1", "itemId": "i1", "period": "2026-03", "indicatorValues": [:] as [String: Any]], token: p.government)
            #expect(forbidden.status == .forbidden && forbidden.rule == "own-events-only")

            let future = try await client.file("GuidanceGiven", ["guidanceId": "g", "kind": "visit", "summary": "x"], token: p.government, on: "2027-02-01")
            #expect(future.status == .unprocessableContent && future.field == "/occurredAt")

            let noToken = try await client.file("GuidanceGiven", ["guidanceId": "g", "kind": "visit", "summary": "x"], token: "")
            #expect(noToken.status == .unauthorized)
            let badToken = try await client.file("GuidanceGiven", ["guidanceId": "g", "kind": "visit", "summary": "x"], token: "zs_not-a-token")
            #expect(badToken.status == .unauthorized && badToken.json["type"] as? String == "/problems/unauthorized")

            // A misspelt optional field is refused, not silently dropped; so is a field the service fills in.
            let misspelt = try await client.file("ReportVerified", ["reportId": "r1", "nots": "合格"], token: p.government)
            #expect(misspelt.status == .badRequest && misspelt.field == "/data/nots" && misspelt.rule == "schema")
            let serviceField = try await client.file("BreachClaimFiled", ["claimId": "b9", "claimant": "committee", "clauseId": "c-gov", "description": "逾期", "deductionCap": 1],
                                                     token: p.committee)
            #expect(serviceField.status == .badRequest && serviceField.field == "/data/deductionCap")
            let envelope = try await client.call(.post, uri, token: p.government,
                                                 body: ["type": "GuidanceGiven", "occurredAt": "2026-06-15T10:00:00+08:00", "data": ["guidanceId": "g", "kind": "visit", "summary": "x"], "expectedVersoin": 3])
            #expect(envelope.status == .badRequest && envelope.field == "/expectedVersoin")
            // The not-in-the-future rule holds on the district's lists too.
            let futureList = try await client.list("ListItemPublished", ["list": "assistance", "code": "A77", "title": "未来事项"], token: p.district, on: "2027-03-01")
            #expect(futureList.status == .unprocessableContent && futureList.rule == "not-in-future" && futureList.field == "/occurredAt")
            let badPage = try await client.call(.get, "/v1/agreements/\(Parties.agreement)/events?limit=5000", token: p.government)
            #expect(badPage.status == .badRequest && badPage.field == "/limit")
            let notNumber = try await client.call(.get, "/v1/agreements/\(Parties.agreement)/events?from=abc", token: p.government)
            #expect(notNumber.status == .badRequest && notNumber.field == "/from")

            #expect(try await version(client, p) == before, "refused requests wrote nothing")
        }
    }

    @Test func versionsConflictAndRetriesReplay() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            if try await version(client, p) == nil { try await Script.bringIntoEffect(client, p) }
            let current = try #require(try await version(client, p))
            let guidance: [String: Any] = ["guidanceId": "g-\(UUID())", "kind": "training", "summary": "业务培训"]

            let stale = try await client.file("GuidanceGiven", guidance, token: p.government, headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed && stale.json["actualVersion"] as? Int == Int(current.replacingOccurrences(of: "\"", with: "")))
            let staleField = try await client.call(.post, "/v1/agreements/\(Parties.agreement)/events", token: p.government,
                                                   body: ["type": "GuidanceGiven", "occurredAt": "2026-06-15T10:00:00+08:00", "data": guidance, "expectedVersion": 1])
            #expect(staleField.status == .conflict && staleField.rule == "expected-version")

            let first = try await client.file("GuidanceGiven", guidance, token: p.government, key: "key-1", headers: [.ifMatch: current])
            #expect(first.status == .created)
            #expect(first.headers[.location] == "/v1/agreements/\(Parties.agreement)")
            #expect(first.headers[.eTag]?.hasPrefix("\"") == true)
            let retry = try await client.file("GuidanceGiven", guidance, token: p.government, key: "key-1", headers: [.ifMatch: current])
            #expect(retry.status == .created)
            #expect(retry.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(retry.json["streamVersion"] as? Int == first.json["streamVersion"] as? Int)
            #expect((retry.json["events"] as? [[String: Any]])?.first?["eventId"] as? String == (first.json["events"] as? [[String: Any]])?.first?["eventId"] as? String)
            // The same filing written otherwise (keys in another order, spaces, the instant in UTC)
            // is the same filing: its meaning is compared, not its bytes.
            let rewritten = """
                { "data" : { "summary": "\(guidance["summary"]!)", "kind": "training", "guidanceId": "\(guidance["guidanceId"]!)" },
                  "occurredAt": "2026-06-15T02:00:00Z", "type": "GuidanceGiven" }
                """
            var keyed = HTTPFields()
            keyed[.init("Idempotency-Key")!] = "key-1"
            let retold = try await client.call(.post, "/v1/agreements/\(Parties.agreement)/events", token: p.government, raw: Data(rewritten.utf8), headers: keyed)
            #expect(retold.status == .created && retold.headers[.init("Idempotent-Replayed")!] == "true", "\(retold.json)")

            var other = guidance
            other["summary"] = "另一次培训"
            let reused = try await client.file("GuidanceGiven", other, token: p.government, key: "key-1")
            #expect(reused.status == .conflict && reused.rule == "idempotency")
            #expect(try await version(client, p) == first.headers[.eTag])
        }
    }
}

/// A proposal's answer (its own database: it leaves an agreement in a state the other tests do not expect).
@Suite(.database, .timeLimit(.minutes(2))) struct ProposalAnswerTests {
    /// Terms that signing would refuse are recorded as proposed, and the answer names what will
    /// block signing, field by field, so the clerk learns it before the other side signs.
    @Test func aProposalNamesWhatWillBlockSigning() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await Script.publishLists(client, p)
            try Script.expectCreated(try await client.file("AgreementDrafted", [
                "government": "320412001", "committee": "320412001001", "year": 2026, "termStart": "2026-01-01", "termEnd": "2026-12-31",
            ], token: p.government, on: "2026-01-05"))
            var terms = Script.terms(funding: 8_000_000)
            var items = terms["items"] as! [[String: Any]]
            items[1]["workingConditions"] = "  "
            terms["items"] = items
            terms["installments"] = [["installmentId": "p1", "dueDate": "2026-03-31", "amount": 5_000_000]]
            let proposed = try await client.file("TermsProposed", ["termsVersion": 1, "terms": terms], token: p.government, on: "2026-01-05")
            let blockers = proposed.json["signingBlockers"] as? [[String: Any]]
            #expect(proposed.status == .created && blockers?.map { $0["field"] as? String } == ["/data/terms/items/1/funding", "/data/terms/installments"],
                    "\(proposed.json)")
            #expect(blockers?.map { $0["rule"] as? String } == ["funding-follows-task", "schedule-matches-funding"])
            #expect((blockers?.last?["detail"] as? String)?.contains("5000000") == true)
            // As it said: signing is refused.
            let signed = try await client.file("AgreementSigned", ["side": "government", "signatory": "王主任", "title": "街道办主任", "termsVersion": 1],
                                               token: p.government, on: "2026-01-06")
            #expect(signed.status == .unprocessableContent && signed.rule == "funding-follows-task")
            // Terms that can be signed say so with an empty list; other filings carry none.
            let fixed = try await client.file("TermsProposed", ["termsVersion": 2, "terms": Script.terms(funding: 8_000_000)], token: p.government, on: "2026-01-06")
            #expect(fixed.status == .created && (fixed.json["signingBlockers"] as? [Any])?.isEmpty == true, "\(fixed.json)")
            let signedNow = try await client.file("AgreementSigned", ["side": "government", "signatory": "王主任", "title": "街道办主任", "termsVersion": 2],
                                                  token: p.government, on: "2026-01-07")
            #expect(signedNow.status == .created && signedNow.json["signingBlockers"] == nil)
        }
    }
}
