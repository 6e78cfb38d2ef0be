import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhengsheAPI
import ZhengsheTestSupport

/// Input that once answered 500 (the fault hunt of issue 10): each is a 400 that names its field,
/// and nothing is recorded.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct BadInputTests {
    @Test func nulCharactersAndImpossibleVersionsAreRefusedByField() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await Script.bringIntoEffect(client, p)
            let uri = "/v1/agreements/\(Parties.agreement)/events"
            let before = try await client.call(.get, "/v1/agreements/\(Parties.agreement)", token: p.government).headers[.eTag]

            // A NUL character anywhere in the data: PostgreSQL's jsonb cannot hold it.
            let nul = try await client.call(.post, uri, token: p.government, raw: Data(#"""
                {"type":"GuidanceGiven","occurredAt":"2026-06-15T10:00:00+08:00","data":{"guidanceId":"g\u0000","kind":"visit","summary":"指导"}}
                """#.utf8))
            #expect(nul.status == .badRequest && nul.field == "/data/guidanceId" && nul.rule == "text", "\(nul.json)")
            let nested = try await client.call(.post, uri, token: p.government, raw: Data(#"""
                {"type":"GuidanceGiven","occurredAt":"2026-06-15T10:00:00+08:00","data":{"guidanceId":"g1","kind":"visit","summary":"指导\u0000"}}
                """#.utf8))
            #expect(nested.status == .badRequest && nested.field == "/data/summary", "\(nested.json)")

            // expectedVersion must be a whole number within range.
            for raw in ["1.5", "9223372036854775808", "-1", "\"3\""] {
                let answer = try await client.call(.post, uri, token: p.government, raw: Data("""
                    {"type":"GuidanceGiven","occurredAt":"2026-06-15T10:00:00+08:00","data":{"guidanceId":"g2","kind":"visit","summary":"指导"},"expectedVersion":\(raw)}
                    """.utf8))
                #expect(answer.status == .badRequest && answer.field == "/expectedVersion", "\(raw): \(answer.status) \(answer.json)")
            }
            // An amount over the 64-bit range or with a fraction of a fen names its field.
            for raw in ["600000.5", "99999999999999999999"] {
                let answer = try await client.call(.post, uri, token: p.government, raw: Data("""
                    {"type":"FundsTransferred","occurredAt":"2026-06-15T10:00:00+08:00","data":{"transferId":"t9","installmentId":"p1","amount":\(raw),"valueDate":"2026-06-15","voucher":"v"}}
                    """.utf8))
                #expect(answer.status == .badRequest && answer.field == "/data/amount", "\(raw): \(answer.status) \(answer.json)")
                #expect((answer.json["detail"] as? String)?.contains("fen") == true, "\(answer.json)")
            }
            // A field given twice is refused, wherever it is; so is a body in UTF-16.
            let twice = try await client.call(.post, uri, token: p.government, raw: Data(#"""
                {"type":"GuidanceGiven","occurredAt":"2026-06-15T10:00:00+08:00","data":{"guidanceId":"g3","kind":"visit","summary":"a","summary":"b"},"type":"DutyReported"}
                """#.utf8))
            #expect(twice.status == .badRequest && twice.field == "/data/summary" && twice.rule == "duplicate-key", "\(twice.json)")
            let escaped = try await client.call(.post, uri, token: p.government, raw: Data([0xEF, 0xBB, 0xBF] + Array(#"""
                {"type":"GuidanceGiven","occurredAt":"2026-06-15T10:00:00+08:00","data":{"guidanceId":"g3","kind":"visit","summary":"a","summ\u0061ry":"b"}}
                """#.utf8)))
            #expect(escaped.status == .badRequest && escaped.field == "/data/summary" && escaped.rule == "duplicate-key", "\(escaped.json)")
            let utf16 = try await client.call(.post, uri, token: p.government, raw: #"{"type":"GuidanceGiven","occurredAt":"2026-06-15T10:00:00+08:00","data":{}}"#.data(using: .utf16)!)
            #expect(utf16.status == .unsupportedMediaType && utf16.rule == "utf-8", "\(utf16.json)")
            // Malformed JSON says where.
            let broken = try await client.call(.post, uri, token: p.government, raw: Data("{\"type\": \"GuidanceGiven\",\r\n \"data\": {,}}".utf8))
            #expect(broken.status == .badRequest && broken.rule == "json" && (broken.json["detail"] as? String)?.contains("line 2, column 11") == true, "\(broken.json)")
            #expect(try await client.call(.get, "/v1/agreements/\(Parties.agreement)", token: p.government).headers[.eTag] == before, "nothing recorded")
        }
    }

    /// Found by schemathesis: read parameters that answered 503 (a position no filing has) or
    /// printed a time no client can parse (a year-128 `knownAt`, with Shanghai's local mean time
    /// offset +08:05:43), or a 400 the contract did not list.
    @Test func readParametersOutsideTheContractAre400ByField() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            let base = "/v1/committees/320412001001/obligations?year=2026"
            let cases: [(String, String, String)] = [
                ("&knownAt=0128-06-08T15:57:52Z", "/knownAt", "plausible-time"),
                ("&asOf=5412-09-14", "/asOf", "plausible-date"),
                ("&minPosition=9223372036854775806", "/minPosition", "position"),
            ]
            for (query, field, rule) in cases {
                let started = ContinuousClock.now
                let answer = try await client.call(.get, base + query, token: p.committee)
                #expect(answer.status == .badRequest && answer.field == field && answer.rule == rule, "\(query): \(answer.status) \(answer.json)")
                #expect(ContinuousClock.now - started < .seconds(5), "\(query) waited \(ContinuousClock.now - started)")
            }
            // Within the years, the answer's knownAt is RFC 3339 with +08:00.
            let early = try await client.call(.get, base + "&knownAt=2000-01-01T00:00:00%2B08:00", token: p.committee)
            #expect(early.status == .ok && early.json["knownAt"] as? String == "2000-01-01T00:00:00.000+08:00", "\(early.json)")
            // A path year not of the documented form is a 400 the contract lists (the client's
            // contract check records an issue otherwise).
            for uri in ["/v1/districts/320412/lists/abc", "/v1/districts/320412/evaluations/abc", "/v1/districts/320412/evaluations/abc/frame"] {
                let answer = try await client.call(.get, uri, token: p.district)
                #expect(answer.status == .badRequest && answer.field == "/year", "\(uri): \(answer.status) \(answer.json)")
            }
        }
    }
}
