import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import ZhengsheAPI
import ZhengsheServer
import ZhengsheStore
import ZhengsheTestSupport

/// Tokens for every kind of party, on the suite's database.
struct Parties {
    var government = ""
    var committee = ""
    var district = ""
    var evaluator = ""
    var admin = ""
    var otherGovernment = ""
    var otherCommittee = ""
    var otherDistrict = ""

    static let agreement = "320412001001-2026"

    static func create(_ database: TestDatabase) async throws -> Parties {
        let tokens = TokenStore(client: database.client, logger: database.logger)
        func token(_ role: String, _ party: String, year: Int? = nil) async throws -> String {
            try await tokens.create(name: "\(role) \(party)", role: role, party: party, year: year).secret
        }
        return Parties(
            government: try await token("government", "320412001"),
            committee: try await token("committee", "320412001001"),
            district: try await token("district", "320412"),
            evaluator: try await token("evaluator", "320412", year: 2026),
            admin: try await token("admin", ""),
            otherGovernment: try await token("government", "320412002"),
            otherCommittee: try await token("committee", "320412002001"),
            otherDistrict: try await token("district", "320411")
        )
    }
}

/// A year in which "now" is the last evening of 2026 in Shanghai.
let endOfYear = Date(timeIntervalSince1970: 1_798_718_400)  // 2026-12-31T20:00+08:00

func makeApp(_ database: TestDatabase) async throws -> some ApplicationProtocol {
    // The test cluster is shared by every suite, and the gap-safe read waits for transactions in
    // flight in all of them: read-your-writes gets longer than in service.
    try await buildApplication(database: database.configuration, migrate: false, clock: { endOfYear }, readYourWritesWait: .seconds(30), logger: database.logger)
}

struct Answer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: [String: Any]

    var field: String? { json["field"] as? String }
    var rule: String? { json["rule"] as? String }
}

extension TestClientProtocol {
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, body: Any? = nil, raw: Data? = nil,
        headers extra: HTTPFields = [:], contentType: String = "application/json"
    ) async throws -> Answer {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body { buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)) }
        if let raw { buffer = ByteBuffer(bytes: raw) }
        if buffer != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            let body = Data(response.body.readableBytesView)
            // Every answer the API tests see must be one the contract describes.
            for violation in ContractValidator.shared.violations(
                method: method, path: uri, status: Int(response.status.code), contentType: response.headers[.contentType], body: body)
            {
                Issue.record("outside the contract: \(violation)")
            }
            let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
            return Answer(status: response.status, headers: response.headers, json: json)
        }
    }

    /// Files one event on the test agreement.
    @discardableResult
    func file(
        _ type: String, _ data: [String: Any], token: String, on date: String = "2026-06-15",
        agreement: String = Parties.agreement, key: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Answer {
        var headers = extra
        if let key { headers[.init("Idempotency-Key")!] = key }
        return try await call(.post, "/v1/agreements/\(agreement)/events", token: token,
                              body: ["type": type, "occurredAt": "\(date)T10:00:00+08:00", "data": data], headers: headers)
    }

    @discardableResult
    func list(_ type: String, _ data: [String: Any], token: String, on date: String = "2026-01-02") async throws -> Answer {
        try await call(.post, "/v1/districts/320412/lists/2026/events", token: token,
                       body: ["type": type, "occurredAt": "\(date)T09:00:00+08:00", "data": data])
    }
}

/// The filings that bring the test agreement into effect, for tests that start there.
enum Script {
    static func terms(funding: Int = 12_000_000) -> [String: Any] {
        [
            "items": [
                ["itemId": "i1", "code": "A01", "title": "人口信息采集", "indicators": [["name": "records", "target": 100, "unit": "户", "period": "month"]],
                 "frequency": "monthly", "funding": funding],
                ["itemId": "i2", "code": "A02", "title": "安全巡查", "indicators": [["name": "patrols", "target": 12, "unit": "次", "period": "quarter"]],
                 "frequency": "quarterly", "funding": 0, "workingConditions": "提供巡查设备"],
            ],
            "lawfulDuties": ["L01"],
            "governmentCommitments": [["commitmentId": "g1", "kind": "training", "description": "季度业务培训"]],
            "installments": [
                ["installmentId": "p1", "dueDate": "2026-03-31", "amount": funding / 2],
                ["installmentId": "p2", "dueDate": "2026-09-30", "amount": funding - funding / 2],
            ],
            "breachClauses": [
                ["clauseId": "c-gov", "party": "government", "description": "未按期拨付经费", "deductionCap": 500_000, "rectificationDays": 15],
                ["clauseId": "c-com", "party": "committee", "description": "未完成协助事项", "deductionCap": 300_000],
            ],
        ]
    }

    static func publishLists(_ client: some TestClientProtocol, _ p: Parties) async throws {
        for code in ["A01", "A02"] {
            try await expectCreated(client.list("ListItemPublished", ["list": "assistance", "code": code, "title": "协助事项 \(code)"], token: p.district))
        }
        try await expectCreated(client.list("ListItemPublished", ["list": "lawfulDuty", "code": "L01", "title": "居民会议"], token: p.district))
    }

    static func bringIntoEffect(_ client: some TestClientProtocol, _ p: Parties) async throws {
        try await publishLists(client, p)
        try await expectCreated(client.file("AgreementDrafted", [
            "government": "320412001", "committee": "320412001001", "year": 2026, "termStart": "2026-01-01", "termEnd": "2026-12-31",
        ], token: p.government, on: "2026-01-05"))
        try await expectCreated(client.file("TermsProposed", ["termsVersion": 1, "terms": terms()], token: p.government, on: "2026-01-05"))
        try await expectCreated(client.file("AgreementSigned", ["side": "government", "signatory": "王主任", "title": "街道办主任", "termsVersion": 1], token: p.government, on: "2026-01-08"))
        try await expectCreated(client.file("AgreementSigned", ["side": "committee", "signatory": "李书记", "title": "居委会主任", "termsVersion": 1], token: p.committee, on: "2026-01-09"))
    }

    static func expectCreated(_ answer: Answer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(answer.status == .created, "\(answer.json)", sourceLocation: sourceLocation)
    }
}
