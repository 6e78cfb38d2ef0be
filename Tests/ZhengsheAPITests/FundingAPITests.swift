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

/// The funding ledger over HTTP: every role, read-your-writes, CSV for Excel, bad parameters.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct FundingAPITests {
    @Test func theLedgerForEveryRoleAsJSONAndCSV() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        let runner = ProjectionRunner(projection: FundingProjection(), store: database.store, logger: database.logger)
        let running = Task { await runner.runUntilCancelled() }
        defer { running.cancel() }
        try await app.test(.router) { client in
            try await Script.bringIntoEffect(client, p)
            let transfer = try await client.file("FundsTransferred", ["transferId": "t1", "installmentId": "p1", "amount": 6_000_000, "valueDate": "2026-04-02", "voucher": "财拨-1"],
                                                 token: p.government, on: "2026-04-02")
            let position = try #require(transfer.json["globalPosition"] as? Int)

            // Read-your-writes: the answer reflects the transfer just filed.
            let district = try await client.call(.get, "/v1/districts/320412/funding?year=2026&minPosition=\(position)", token: p.district)
            #expect(district.status == .ok, "\(district.json)")
            let totals = district.json["totals"] as? [String: Any]
            #expect(totals?["transferred"] as? Int == 6_000_000 && totals?["promised"] as? Int == 12_000_000)
            #expect(totals?["due"] as? Int == 12_000_000 && totals?["outstanding"] as? Int == 6_000_000, "as of today both installments are due")
            #expect(totals?["installmentsLate"] as? Int == 2, "p1 paid after 31 March, p2 not paid by 30 September")
            #expect((district.json["streets"] as? [[String: Any]])?.count == 1)
            // As of 31 March, before the transfer: nothing transferred, p1 due.
            let march = try await client.call(.get, "/v1/districts/320412/funding?year=2026&asOf=2026-03-31", token: p.district)
            let marchTotals = march.json["totals"] as? [String: Any]
            #expect(marchTotals?["transferred"] as? Int == 0 && marchTotals?["due"] as? Int == 6_000_000)

            // Who sees which level: (path, token, status)
            let cases: [(String, String, HTTPResponse.Status)] = [
                ("/v1/districts/320412/funding", p.evaluator, .ok), ("/v1/districts/320412/funding", p.government, .notFound),
                ("/v1/districts/320412/funding", p.otherDistrict, .notFound), ("/v1/districts/320412/funding", p.committee, .notFound),
                ("/v1/governments/320412001/funding", p.government, .ok), ("/v1/governments/320412001/funding", p.district, .ok),
                ("/v1/governments/320412001/funding", p.otherGovernment, .notFound), ("/v1/governments/320412001/funding", p.committee, .notFound),
                ("/v1/agreements/320412001001-2026/funding", p.committee, .ok), ("/v1/agreements/320412001001-2026/funding", p.government, .ok),
                ("/v1/agreements/320412001001-2026/funding", p.otherCommittee, .notFound), ("/v1/agreements/320412001001-2026/funding", p.admin, .ok),
            ]
            for (path, token, status) in cases {
                let answer = try await client.call(.get, path + "?year=2026", token: token)
                #expect(answer.status == status, "\(path)")
                if status == .notFound { #expect(answer.json["totals"] == nil && answer.rule == "visible-to-you") }
            }

            // CSV for Excel: a byte-order mark, Chinese headers, one line per agreement and the totals.
            try await client.execute(uri: "/v1/districts/320412/funding?year=2026&format=csv", method: .get,
                                     headers: [.authorization: "Bearer \(p.district)"]) { response in
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let bytes = Array(response.body.readableBytesView)
                #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF], "UTF-8 byte-order mark")
                let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
                let lines = text.split(separator: "\r\n")
                #expect(lines.first?.hasPrefix("agreement 协议,government 街道/镇,committee 居(村)委会") == true)
                #expect(lines.count == 3 && lines[1].hasPrefix("320412001001-2026,320412001,320412001001,1,12000000,12000000,"))
                #expect(lines.last?.hasPrefix("合计 total (1)") == true)
            }
            let accept = try await client.call(.get, "/v1/governments/320412001/funding?year=2026", token: p.government, headers: [.accept: "text/csv"])
            #expect(accept.status == .ok && accept.headers[.contentType]?.hasPrefix("text/csv") == true)

            // The process's metrics: projections, appends, HTTP requests by route and status.
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"zhengshe_projection_events_total{projection="funding"}"#), "\(text.prefix(2000))")
                #expect(text.contains("zhengshe_projection_lag_events") && text.contains("zhengshe_appends_total"))
                #expect(text.contains(#"hb_requests{"#) && text.contains("http_server_request_duration"), "HTTP requests by route and status, with latency histograms")
            }

            // Parameters out of the contract name themselves.
            for (query, field) in [("year=2026&asOf=30-06-2026", "/asOf"), ("year=2026&limit=0", "/limit"), ("year=2026&offset=-1", "/offset"), ("asOf=2026-06-30", "/year"),
                                 ("year=2026&knownAt=yesterday", "/knownAt"), ("year=twenty", "/year")] {
                let bad = try await client.call(.get, "/v1/districts/320412/funding?\(query)", token: p.district)
                #expect(bad.status == .badRequest, "\(query)")
                #expect(bad.field == field, "\(query): \(bad.json)")
            }
        }
    }
}
