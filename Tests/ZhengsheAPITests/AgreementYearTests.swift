import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhengsheAPI
import ZhengsheStore
import ZhengsheTestSupport

/// A whole year of one agreement through the HTTP endpoint, as its three kinds of user file it.
@Suite(.database, .timeLimit(.minutes(2))) struct AgreementYearTests {
    @Test func aWholeYear() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            // The district publishes its lists; a government asks to push a survey, which is admitted.
            try await Script.publishLists(client, p)
            try Script.expectCreated(try await client.list("AdmissionRequested", ["admissionId": "ADM-1", "department": "住建局", "kind": "survey", "title": "房屋普查"], token: p.government))
            try Script.expectCreated(try await client.list("AdmissionGranted", ["admissionId": "ADM-1", "validFrom": "2026-01-01", "validUntil": "2026-12-31"], token: p.district))
            let lists = try await client.call(.get, "/v1/districts/320412/lists/2026", token: p.committee)
            #expect((lists.json["assistanceItems"] as? [Any])?.count == 2)

            // Drafted, version 1 refused by the committee, version 2 signed by both.
            try Script.expectCreated(try await client.file("AgreementDrafted", [
                "government": "320412001", "committee": "320412001001", "year": 2026, "termStart": "2026-01-01", "termEnd": "2026-12-31",
            ], token: p.government, on: "2026-01-05"))
            try Script.expectCreated(try await client.file("TermsProposed", ["termsVersion": 1, "terms": Script.terms(funding: 8_000_000)], token: p.government, on: "2026-01-05"))
            try Script.expectCreated(try await client.file("SigningRefused", ["side": "committee", "termsVersion": 1, "reason": "经费不足以覆盖人口信息采集"], token: p.committee, on: "2026-01-06"))
            var terms = Script.terms()
            var items = terms["items"] as! [[String: Any]]
            items.append(["itemId": "i3", "code": "ADM-1", "title": "房屋普查", "indicators": [], "frequency": "once", "funding": 2_000_000])
            terms["items"] = items
            terms["installments"] = [
                ["installmentId": "p1", "dueDate": "2026-03-31", "amount": 7_000_000],
                ["installmentId": "p2", "dueDate": "2026-09-30", "amount": 7_000_000],
            ]
            try Script.expectCreated(try await client.file("TermsProposed", ["termsVersion": 2, "terms": terms], token: p.government, on: "2026-01-07"))
            try Script.expectCreated(try await client.file("AgreementSigned", ["side": "government", "signatory": "王主任", "title": "街道办主任", "termsVersion": 2], token: p.government, on: "2026-01-08"))
            let effect = try await client.file("AgreementSigned", ["side": "committee", "signatory": "李书记", "title": "居委会主任", "termsVersion": 2], token: p.committee, on: "2026-01-09")
            #expect((effect.json["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } == ["AgreementSigned", "AgreementTookEffect"])

            // An amendment raises the funding of i1 by 10,000 yuan, with a third installment.
            var amended = terms
            items[0]["funding"] = 13_000_000
            amended["items"] = items
            amended["installments"] = (terms["installments"] as! [[String: Any]]) + [["installmentId": "p3", "dueDate": "2026-11-30", "amount": 1_000_000]]
            try Script.expectCreated(try await client.file("AmendmentProposed", ["amendmentId": "am1", "proposedBy": "government", "rationale": "人口普查工作量增加", "terms": amended], token: p.government, on: "2026-04-01"))
            try Script.expectCreated(try await client.file("AmendmentSigned", ["amendmentId": "am1", "side": "government", "signatory": "王主任", "title": "主任"], token: p.government, on: "2026-04-02"))
            try Script.expectCreated(try await client.file("AmendmentSigned", ["amendmentId": "am1", "side": "committee", "signatory": "李书记", "title": "主任"], token: p.committee, on: "2026-04-03"))

            // Reports: March verified, April rejected then refiled.
            try Script.expectCreated(try await client.file("DutyReported", ["reportId": "r-03", "itemId": "i1", "period": "2026-03", "indicatorValues": ["records": 98], "evidence": ["台账/2026-03"]], token: p.committee, on: "2026-04-02"))
            try Script.expectCreated(try await client.file("ReportVerified", ["reportId": "r-03"], token: p.government, on: "2026-04-05"))
            try Script.expectCreated(try await client.file("DutyReported", ["reportId": "r-04", "itemId": "i1", "period": "2026-04", "indicatorValues": ["records": 40]], token: p.committee, on: "2026-05-02"))
            try Script.expectCreated(try await client.file("ReportRejected", ["reportId": "r-04", "reason": "采集数量明显不足"], token: p.government, on: "2026-05-04"))
            try Script.expectCreated(try await client.file("DutyReported", ["reportId": "r-04b", "itemId": "i1", "period": "2026-04", "indicatorValues": ["records": 101]], token: p.committee, on: "2026-05-10"))
            try Script.expectCreated(try await client.file("GuidanceGiven", ["guidanceId": "gd-1", "kind": "visit", "itemId": "i1", "summary": "上门指导采集规范"], token: p.government, on: "2026-05-12"))

            // Money: the first installment paid and confirmed, the second short.
            try Script.expectCreated(try await client.file("FundsTransferred", ["transferId": "t1", "installmentId": "p1", "amount": 7_000_000, "valueDate": "2026-03-30", "voucher": "财拨2026-031"], token: p.government, on: "2026-03-30"))
            try Script.expectCreated(try await client.file("ReceiptConfirmed", ["transferId": "t1"], token: p.committee, on: "2026-04-01"))
            try Script.expectCreated(try await client.file("FundsTransferred", ["transferId": "t2", "installmentId": "p2", "amount": 6_000_000, "valueDate": "2026-10-10", "voucher": "财拨2026-101"], token: p.government, on: "2026-10-10"))

            // A task pushed without admission is refused; the committee claims late payment.
            let refusal = try await client.file("TaskRefused", ["refusalId": "x1", "requestingDepartment": "文明办", "task": "文明创建台账", "requestedOn": "2026-06-01"], token: p.committee, on: "2026-06-02")
            try Script.expectCreated(refusal)
            try Script.expectCreated(try await client.file("BreachClaimFiled", ["claimId": "b1", "claimant": "committee", "clauseId": "c-gov", "description": "第二批经费逾期且不足额"], token: p.committee, on: "2026-10-15"))
            try Script.expectCreated(try await client.file("BreachClaimAnswered", ["claimId": "b1", "response": "财政审批延误"], token: p.government, on: "2026-10-20"))
            try Script.expectCreated(try await client.file("BreachClaimSettled", ["claimId": "b1", "outcome": "partlyUpheld", "deduction": 200_000, "rectificationDeadline": "2026-11-30", "reasoning": "逾期属实，金额差异已说明"], token: p.district, on: "2026-11-01"))
            try Script.expectCreated(try await client.file("RectificationReported", ["claimId": "b1", "summary": "已补拨100万分"], token: p.government, on: "2026-11-20"))
            try Script.expectCreated(try await client.file("AgreementClosed", ["note": "年度结束"], token: p.government, on: "2026-12-31"))

            // What the agreement says now.
            let view = try await client.call(.get, "/v1/agreements/\(Parties.agreement)", token: p.committee)
            #expect(view.status == .ok)
            #expect(view.json["status"] as? String == "closed")
            #expect(view.json["effectiveTermsVersion"] as? Int == 3)
            let funding = view.json["funding"] as? [String: Any]
            #expect(funding?["promised"] as? Int == 15_000_000)
            #expect(funding?["transferred"] as? Int == 13_000_000)
            #expect((view.json["reports"] as? [Any])?.count == 3)
            #expect(view.headers[.eTag] == "\"26\"")

            // Nothing more is filed on a closed agreement.
            let late = try await client.file("GuidanceGiven", ["guidanceId": "gd-2", "kind": "visit", "summary": "x"], token: p.government, on: "2026-12-31")
            #expect(late.status == .unprocessableContent && late.rule == "agreement-open")

            // The history, with its hash chain, page by page.
            let first = try await client.call(.get, "/v1/agreements/\(Parties.agreement)/events?limit=20", token: p.district)
            let events = first.json["events"] as? [[String: Any]] ?? []
            #expect(events.count == 20)
            #expect(events[1]["previousHash"] as? String == events[0]["hash"] as? String)
            let next = try #require(first.json["next"] as? String)
            let second = try await client.call(.get, next, token: p.district)
            let rest = second.json["events"] as? [[String: Any]] ?? []
            #expect(rest.count == 6)
            #expect(rest.first?["previousHash"] as? String == events.last?["hash"] as? String)
            let refusalEvent = rest.first { $0["type"] as? String == "TaskRefused" }
            #expect((refusalEvent?["data"] as? [String: Any])?["admitted"] as? Bool == false, "the service records that the task was never admitted")
        }
        #expect(try await ChainVerifier(client: database.client, logger: database.logger).verify().isIntact)
    }
}
