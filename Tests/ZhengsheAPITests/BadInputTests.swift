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
}
