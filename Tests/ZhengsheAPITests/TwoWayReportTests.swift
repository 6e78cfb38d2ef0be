import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
@testable import ZhengsheAPI
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore
import ZhengsheTestSupport

/// The year-end two-way evaluation of a small district built by hand: one street (320412001), three
/// committees and a full year each, every score, grade and settlement figure worked out by hand
/// below, under the default scheme and under a 30/10/60 one; the survey results come in as the
/// frame's CSV filled in; the finalized report does not move; its evidence is real.
@Suite(.serialized, .timeLimit(.minutes(4))) struct TwoWayReportTests {
    static let evaluation = "/v1/districts/320412/evaluations/2026"
    static let a = "320412001001", b = "320412001002", c = "320412001003"

    /// The hand-built street. A does everything on time; B reports Q3 late and leaves Q4
    /// unverified, is paid its first installment late, gets no training and refuses a task pushed
    /// without admission; C files nothing, is paid nothing, and a claim is upheld against it.
    struct Street {
        var p: Parties
        var b = "", c = ""

        static func terms(_ funding: Int) -> [String: Any] {
            [
                "items": [["itemId": "i1", "code": "A01", "title": "人口信息采集", "indicators": [] as [Any], "frequency": "quarterly", "funding": funding]],
                "lawfulDuties": ["L01"],
                "governmentCommitments": [["commitmentId": "g1", "kind": "training", "description": "年度业务培训"]],
                "installments": [
                    ["installmentId": "p1", "dueDate": "2026-06-30", "amount": funding / 2],
                    ["installmentId": "p2", "dueDate": "2026-12-31", "amount": funding - funding / 2],
                ],
                "breachClauses": [
                    ["clauseId": "c-gov", "party": "government", "description": "未按期拨付经费", "deductionCap": 500_000],
                    ["clauseId": "c-com", "party": "committee", "description": "未完成协助事项", "deductionCap": 300_000],
                ],
            ]
        }

        func token(_ committee: String) -> String { committee == a ? p.committee : committee == TwoWayReportTests.b ? b : c }

        func build(_ client: some TestClientProtocol) async throws {
            func file(_ committee: String, _ type: String, _ data: [String: Any], _ token: String, _ date: String) async throws {
                try Script.expectCreated(try await client.file(type, data, token: token, on: date, agreement: "\(committee)-2026"))
            }
            try await Script.publishLists(client, p)
            for (committee, funding) in [(a, 10_000_000), (TwoWayReportTests.b, 8_000_000), (TwoWayReportTests.c, 6_000_000)] {
                try await file(committee, "AgreementDrafted", ["government": "320412001", "committee": committee, "year": 2026, "termStart": "2026-01-01", "termEnd": "2026-12-31"],
                               p.government, "2026-01-05")
                try await file(committee, "TermsProposed", ["termsVersion": 1, "terms": Self.terms(funding)], p.government, "2026-01-05")
                try await file(committee, "AgreementSigned", ["side": "government", "signatory": "王主任", "title": "街道办主任", "termsVersion": 1], p.government, "2026-01-08")
                try await file(committee, "AgreementSigned", ["side": "committee", "signatory": "李书记", "title": "居委会主任", "termsVersion": 1], token(committee), "2026-01-09")
            }
            func report(_ committee: String, _ quarter: Int, on date: String, verifiedOn: String?) async throws {
                let id = "r-\(quarter)"
                try await file(committee, "DutyReported", ["reportId": id, "itemId": "i1", "period": "2026-Q\(quarter)", "indicatorValues": [:] as [String: Any]],
                               token(committee), date)
                if let verifiedOn { try await file(committee, "ReportVerified", ["reportId": id], p.government, verifiedOn) }
            }
            // A: every quarter reported by its due date and verified.
            try await report(a, 1, on: "2026-03-25", verifiedOn: "2026-03-28")
            try await report(a, 2, on: "2026-06-20", verifiedOn: "2026-06-25")
            try await report(a, 3, on: "2026-09-20", verifiedOn: "2026-09-25")
            try await report(a, 4, on: "2026-12-20", verifiedOn: "2026-12-22")
            // B: Q3 reported after its due date (verified, but late); Q4 on time, never verified.
            try await report(TwoWayReportTests.b, 1, on: "2026-03-25", verifiedOn: "2026-03-28")
            try await report(TwoWayReportTests.b, 2, on: "2026-06-20", verifiedOn: "2026-06-25")
            try await report(TwoWayReportTests.b, 3, on: "2026-10-05", verifiedOn: "2026-10-08")
            try await report(TwoWayReportTests.b, 4, on: "2026-12-20", verifiedOn: nil)
            func transfer(_ committee: String, _ installment: String, _ amount: Int, on date: String) async throws {
                try await file(committee, "FundsTransferred", ["transferId": "t-\(installment)", "installmentId": installment, "amount": amount, "valueDate": date, "voucher": "财拨-\(installment)"],
                               p.government, date)
            }
            try await transfer(a, "p1", 5_000_000, on: "2026-06-28")
            try await transfer(a, "p2", 5_000_000, on: "2026-12-20")
            try await transfer(TwoWayReportTests.b, "p1", 4_000_000, on: "2026-07-10")
            try await transfer(TwoWayReportTests.b, "p2", 4_000_000, on: "2026-12-20")
            try await file(a, "GuidanceGiven", ["guidanceId": "gd1", "kind": "training", "summary": "年度业务培训"], p.government, "2026-05-10")
            // The department's name is filed text: the HTML report must show it, escaped.
            try await file(TwoWayReportTests.b, "TaskRefused", ["refusalId": "x1", "requestingDepartment": "<b>文明办</b>", "task": "文明创建台账", "requestedOn": "2026-04-01"],
                           b, "2026-04-02")
            try await file(TwoWayReportTests.c, "BreachClaimFiled", ["claimId": "b1", "claimant": "government", "clauseId": "c-com", "description": "全年未报送"],
                           p.government, "2026-10-05")
            try await file(TwoWayReportTests.c, "BreachClaimSettled", ["claimId": "b1", "outcome": "upheld", "deduction": 100_000, "reasoning": "属实"],
                           p.district, "2026-10-20")
        }

        /// Both sides' assessments: the government scores A 90, B 80, C 60; A scores its
        /// government 90 on every dimension, B 80/70/60/70; C submits nothing.
        func assess(_ client: some TestClientProtocol) async throws {
            func file(_ type: String, _ data: [String: Any], _ token: String) async throws {
                try Script.expectCreated(try await client.call(.post, TwoWayReportTests.evaluation + "/events", token: token,
                                                               body: ["type": type, "occurredAt": "2026-12-10T10:00:00+08:00", "data": data]))
            }
            for (committee, score) in [(a, 90), (TwoWayReportTests.b, 80), (TwoWayReportTests.c, 60)] {
                try await file("CommitteeAssessed", ["committee": committee, "score": score, "comment": "年度评价"], p.government)
            }
            func dimension(_ score: Int) -> [String: Any] { ["score": score, "comment": "意见"] }
            try await file("GovernmentAssessed", ["committee": a, "guidance": dimension(90), "service": dimension(90), "interference": dimension(90), "funding": dimension(90)], p.committee)
            try await file("GovernmentAssessed", ["committee": TwoWayReportTests.b, "guidance": dimension(80), "service": dimension(70), "interference": dimension(60), "funding": dimension(70)], b)
        }
    }

    static func street(_ database: TestDatabase) async throws -> Street {
        let tokens = TokenStore(client: database.client, logger: database.logger)
        return Street(
            p: try await Parties.create(database),
            b: try await tokens.create(name: "committee b", role: "committee", party: b, year: nil).secret,
            c: try await tokens.create(name: "committee c", role: "committee", party: c, year: nil).secret)
    }

    static func scheme(_ scheme: ScoringScheme) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(scheme))
    }

    /// Jiaxing 解放街道's weighting: residents 30, assessment 10, the record 60.
    static let thirtyTenSixty = ScoringScheme(
        schemeId: "jiaxing-2026", description: "嘉兴解放街道做法：居民满意度30%，对方评价10%，台账记录60%",
        committee: [
            .init(componentId: "residents", title: "居民满意度", weight: 30, formula: .surveySatisfaction),
            .init(componentId: "assessment", title: "街道评价", weight: 10, formula: .assessment),
            .init(componentId: "reports", title: "履职报告按时核验率", weight: 60, formula: .reportsVerifiedOnTime),
        ],
        government: [
            .init(componentId: "residents", title: "居民满意度", weight: 30, formula: .surveySatisfaction),
            .init(componentId: "assessment", title: "居委会评价", weight: 10, formula: .assessment),
            .init(componentId: "funding", title: "经费按时足额拨付率", weight: 60, formula: .installmentsPaidOnTime),
        ],
        settlement: [.init(grade: "优秀", releasePercent: 100), .init(grade: "良好", releasePercent: 100), .init(grade: "合格", releasePercent: 80), .init(grade: "不合格", releasePercent: 50)])

    /// Waits until every projection (run by the application's own runners) holds every event
    /// recorded so far.
    static func catchUp(_ database: TestDatabase) async throws {
        var head: Int64 = 0
        for try await position in try await database.client.query("SELECT coalesce(max(global_position), 0) FROM events", logger: database.logger).decode(Int64.self) {
            head = position
        }
        let generations = ProjectionGenerations(client: database.client, logger: database.logger)
        let deadline = ContinuousClock.now + .seconds(60)
        for projection in Projections.all {
            while try await !generations.covers(projection.name, globalPosition: head) {
                guard ContinuousClock.now < deadline else { Issue.record("\(projection.name) did not reach \(head)"); return }
                try await Task.sleep(for: .milliseconds(25))
            }
        }
    }

    static func bytes(_ client: some TestClientProtocol, _ uri: String, token: String, accept: String? = nil) async throws -> (HTTPResponse.Status, [UInt8]) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let accept { headers[.accept] = accept }
        return try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, Array($0.body.readableBytesView)) }
    }

    static func upload(_ client: some TestClientProtocol, _ sheet: String, token: String, key: String? = nil) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let key { headers[.init("Idempotency-Key")!] = key }
        return try await client.call(.post, evaluation + "/surveys?occurredAt=2026-12-18T17:00:00%2B08:00", token: token, raw: Data(sheet.utf8),
                                     headers: headers, contentType: "text/csv")
    }

    /// The frame's CSV with the results of `rows` (committee → nine counts) filled in.
    static func filled(_ frame: String, _ rows: [String: [String]]) -> String {
        var lines = frame.components(separatedBy: "\r\n")
        for (n, line) in lines.enumerated() {
            guard let committee = line.split(separator: ",").first.map(String.init), let counts = rows[committee] else { continue }
            lines[n] = String(line.dropLast(9)) + "," + counts.joined(separator: ",")
        }
        return lines.joined(separator: "\r\n")
    }

    static func agreement(_ report: [String: Any], _ committee: String) throws -> [String: Any] {
        try #require((report["agreements"] as? [[String: Any]])?.first { $0["committee"] as? String == committee })
    }

    static func side(_ agreement: [String: Any], _ side: String) -> (total: Double?, grade: String?, components: [String: Double?]) {
        let score = agreement["\(side)Score"] as? [String: Any]
        let components = (score?["components"] as? [[String: Any]] ?? []).reduce(into: [String: Double?]()) { $0[$1["componentId"] as! String] = $1["score"] as? Double }
        return (score?["total"] as? Double, score?["grade"] as? String, components)
    }

    static func settlement(_ agreement: [String: Any]) -> [Int] {
        let s = agreement["settlement"] as? [String: Any] ?? [:]
        return ["promised", "releasePercent", "released", "withheld", "deducted", "payable", "transferred", "stillDue", "overpaid"].map { s[$0] as? Int ?? -1 }
    }

    @Test(.database) func aHandBuiltStreetScoredUnderTwoSchemesFinalizedAndExplained() async throws {
        let database = try TestDatabase.current
        let street = try await Self.street(database)
        let p = street.p
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await street.build(client)
            try Script.expectCreated(try await client.call(.post, Self.evaluation + "/events", token: p.district, body: [
                "type": "EvaluationOpened", "occurredAt": "2026-12-01T10:00:00+08:00", "data": ["scheme": try Self.scheme(.changzhou(year: 2026))],
            ]))
            try await street.assess(client)

            // The third party works from the frame's CSV (read from the read side) and sends it back filled in.
            try await Self.catchUp(database)
            let (status, frameBytes) = try await Self.bytes(client, Self.evaluation + "/frame?format=csv", token: p.evaluator)
            #expect(status == .ok && frameBytes.starts(with: [0xEF, 0xBB, 0xBF]))
            let frame = String(decoding: frameBytes, as: UTF8.self)
            // A cell that is not a number and a row with a count missing: 400, each by line and column, nothing recorded.
            let malformed = try await Self.upload(client, Self.filled(frame, [
                Self.a: ["四十", "8", "2", "40", "8", "2", "35", "10", "5"], Self.b: ["40", "8", "2", "30", "10", "", "25", "10", "15"],
            ]), token: p.evaluator)
            let errors = malformed.json["errors"] as? [[String: Any]] ?? []
            #expect(malformed.status == .badRequest && malformed.rule == "survey-sheet", "\(malformed.json)")
            #expect(errors.map { "\($0["line"] ?? "") \($0["column"] ?? "") \($0["columnNumber"] ?? "") \($0["rule"] ?? "")" }
                    == ["2 ordinaryResidents 8 count", "3 committee.dissatisfied 13 required"], "\(errors)")
            // A sample too thin on line 3 refuses the whole sheet, line 2 included: 422, nothing recorded.
            let thin = try await Self.upload(client, Self.filled(frame, [
                Self.a: ["40", "8", "2", "40", "8", "2", "35", "10", "5"], Self.b: ["20", "8", "2", "20", "5", "5", "15", "10", "5"],
            ]), token: p.evaluator)
            let refusedRows = thin.json["errors"] as? [[String: Any]] ?? []
            #expect(thin.status == .unprocessableContent && refusedRows.count == 1 && refusedRows.first?["line"] as? Int == 3, "\(thin.json)")
            #expect((refusedRows.first?["detail"] as? String)?.contains("还差20人") == true, "\(refusedRows)")
            let untouched = try await client.call(.get, Self.evaluation, token: p.district)
            #expect((untouched.json["committees"] as? [[String: Any]])?.allSatisfy { $0["survey"] == nil } == true, "\(untouched.json)")
            // Only the third party files results.
            let good = Self.filled(frame, [
                Self.a: ["40", "8", "2", "40", "8", "2", "35", "10", "5"], Self.b: ["40", "8", "2", "30", "10", "10", "25", "10", "15"],
            ])
            #expect(try await Self.upload(client, good, token: p.committee).status == .forbidden)
            let recorded = try await Self.upload(client, good, token: p.evaluator, key: "sheet-1")
            #expect(recorded.status == .created && (recorded.json["recorded"] as? [[String: Any]])?.map { $0["line"] as? Int } == [2, 3], "\(recorded.json)")
            let retried = try await Self.upload(client, good, token: p.evaluator, key: "sheet-1")
            #expect(retried.status == .created && retried.json["replayed"] as? Bool == true && retried.json["streamVersion"] as? Int == recorded.json["streamVersion"] as? Int)

            try await Self.catchUp(database)
            let report = try await client.call(.get, "/v1/reports/two-way?district=320412&year=2026", token: p.district)
            #expect(report.status == .ok && report.json["asOf"] as? String == "2026-12-31", "\(report.json)")
            // A: survey 48 of 50 = 96 × 50 % + 90 × 25 % + 4 of 4 reports 100 × 20 % + no claim 100 × 5 % = 95.5, 优秀.
            let a = try Self.agreement(report.json, Self.a)
            #expect(Self.side(a, "committee").total == 95.5 && Self.side(a, "committee").grade == "优秀", "\(Self.side(a, "committee"))")
            // Its government: 45 of 50 = 90 × 50 % + 90 × 25 % + 2 of 2 installments 10 + 1 of 1 commitment 5 + 5 + 5 = 92.5, 优秀.
            #expect(Self.side(a, "government").total == 92.5 && Self.side(a, "government").grade == "优秀", "\(Self.side(a, "government"))")
            #expect(Self.settlement(a) == [10_000_000, 100, 10_000_000, 0, 0, 10_000_000, 10_000_000, 0, 0])
            // B: 40 of 50 = 80 → 40, 80 → 20, 2 of 4 on time and verified = 50 → 10, 5: 75, 合格.
            let b = try Self.agreement(report.json, Self.b)
            #expect(Self.side(b, "committee").total == 75 && Self.side(b, "committee").grade == "合格" && Self.side(b, "committee").components["reports"] == 50)
            // Its government: 35 of 50 = 70 → 35, mean(80, 70, 60, 70) = 70 → 17.5, 1 of 2 installments 50 → 5, no training 0,
            // one unadmitted task 100 − 20 = 80 → 4, 5: 66.5, 合格.
            #expect(Self.side(b, "government").total == 66.5 && Self.side(b, "government").components["admission"] == 80, "\(Self.side(b, "government"))")
            // 合格 releases 90 % of 80,000 yuan: 72,000; 80,000 was transferred, 8,000 beyond.
            #expect(Self.settlement(b) == [8_000_000, 90, 7_200_000, 800_000, 0, 7_200_000, 8_000_000, 0, 800_000])
            // C: no survey (0), 60 → 15, no report 0, a claim upheld 100 − 50 = 50 → 2.5: 17.5, 不合格.
            let c = try Self.agreement(report.json, Self.c)
            #expect(Self.side(c, "committee").total == 17.5 && Self.side(c, "committee").grade == "不合格")
            #expect((c["committeeScore"] as? [String: Any])?["missing"] as? [String] == ["residents"])
            // Its government: nothing submitted about it, nothing paid, no training: admission 5 + claims 5 = 10, 不合格.
            #expect(Self.side(c, "government").total == 10 && Self.side(c, "government").grade == "不合格")
            // 不合格 releases 70 % of 60,000 yuan: 42,000, less the 1,000 deducted: 41,000 still due.
            #expect(Self.settlement(c) == [6_000_000, 70, 4_200_000, 1_800_000, 100_000, 4_100_000, 0, 4_100_000, 0])
            let summary = report.json["summary"] as? [String: Any]
            #expect(summary?["committeeAverage"] as? Double == 62.67 && summary?["governmentAverage"] as? Double == 56.33, "\(String(describing: summary))")
            #expect(summary?["committeeGrades"] as? [String: Int] == ["优秀": 1, "合格": 1, "不合格": 1])
            #expect(summary?["released"] as? Int == 21_400_000 && summary?["withheld"] as? Int == 2_600_000)
            // The weakest component: the governments' training commitments, kept by A alone: (100 + 0 + 0) / 3.
            let weakest = (summary?["components"] as? [[String: Any]])?.first
            #expect(weakest?["side"] as? String == "government" && weakest?["componentId"] as? String == "guidance" && weakest?["average"] as? Double == 33.33,
                    "\(String(describing: weakest))")
            let departments = report.json["departments"] as? [[String: Any]]
            #expect(departments?.count == 1 && departments?.first?["name"] as? String == "<b>文明办</b>" && departments?.first?["tasks"] as? Int == 1)

            // Every figure's evidence is a real event of the right agreement, found where it says.
            let reports = try #require(((b["committeeScore"] as? [String: Any])?["components"] as? [[String: Any]])?.first { $0["componentId"] as? String == "reports" })
            let evidence = try #require(reports["evidence"] as? [[String: Any]])
            // The terms, 4 reports and 3 verifications; Q3 (late) and Q4 (unverified) are read and do not count.
            #expect(evidence.count == 8, "\(evidence)")
            #expect(evidence.filter { $0["counts"] as? Bool == false }.map { $0["type"] as? String } == ["DutyReported", "ReportVerified", "DutyReported"], "\(evidence)")
            for item in evidence + ((a["governmentScore"] as? [String: Any])?["components"] as? [[String: Any]] ?? []).flatMap { $0["evidence"] as? [[String: Any]] ?? [] } {
                let stream = try #require(item["stream"] as? String)
                let version = try #require(item["streamVersion"] as? Int)
                let path = stream.hasPrefix("agreement-") ? "/v1/agreements/\(stream.dropFirst("agreement-".count))/events" : Self.evaluation + "/events"
                let page = try await client.call(.get, "\(path)?from=\(version)&limit=1", token: p.admin)
                let event = (page.json["events"] as? [[String: Any]])?.first
                #expect(event?["eventId"] as? String == item["eventId"] as? String && event?["type"] as? String == item["type"] as? String, "\(item)")
            }
            #expect(evidence.allSatisfy { $0["stream"] as? String == "agreement-\(Self.b)-2026" })
            let survey = try #require(((a["committeeScore"] as? [String: Any])?["components"] as? [[String: Any]])?.first { $0["componentId"] as? String == "residents" })
            #expect((survey["evidence"] as? [[String: Any]])?.map { $0["type"] as? String } == ["SurveyResultsSubmitted"])

            // CSV: one line per agreement, the evidence by event id.
            let (csvStatus, csv) = try await Self.bytes(client, "/v1/reports/two-way?district=320412&year=2026", token: p.district, accept: "text/csv")
            let lines = String(decoding: csv.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
            #expect(csvStatus == .ok && lines.count == 4 && lines[0].contains("committee.evidence 居委会评分依据(事件编号)"))
            #expect(lines.first { $0.hasPrefix("\(Self.b)-2026,") }?.contains("reports: \(evidence[0]["eventId"] as! String)") == true)

            // Finalized, the report is fixed: filings after it (even about December) change nothing, byte for byte.
            try Script.expectCreated(try await client.call(.post, Self.evaluation + "/events", token: p.district, body: [
                "type": "EvaluationFinalized", "occurredAt": "2026-12-31T12:00:00+08:00", "data": [:] as [String: Any],
            ]))
            let (_, finalized) = try await Self.bytes(client, "/v1/reports/two-way?district=320412&year=2026", token: p.district)
            try Script.expectCreated(try await client.file("DutyReported", ["reportId": "r-4", "itemId": "i1", "period": "2026-Q4", "indicatorValues": [:] as [String: Any]],
                                                           token: street.c, on: "2026-12-30", agreement: "\(Self.c)-2026"))
            try await Self.catchUp(database)
            let (_, again) = try await Self.bytes(client, "/v1/reports/two-way?district=320412&year=2026", token: p.district)
            #expect(again == finalized)
            // The JSON is written by TwoWayJSON, not by Codable: the same bytes as Foundation's encoder makes of the contract's types,
            // and the command line's.
            let services = ApplicationServices(store: database.store, tokens: TokenStore(client: database.client, logger: database.logger), logger: database.logger)
            let computed = try await services.twoWay.report(district: "320412", year: 2026, for: Actor(name: "test", role: .admin, party: nil))
            let codable = try APIJSON.encoder.encode(Components.Schemas.TwoWayReport(computed))
            #expect(try TwoWayDocuments.render(computed, as: .json) == codable)
            #expect([UInt8](codable) == finalized, "\(String(decoding: codable.prefix(300), as: UTF8.self)) …")

            // Reopened under 30/10/60: a new version scored anew, the finalized one still readable, unchanged.
            try Script.expectCreated(try await client.call(.post, Self.evaluation + "/events", token: p.district, body: [
                "type": "EvaluationReopened", "occurredAt": "2026-12-31T15:00:00+08:00",
                "data": ["reason": "改用嘉兴做法", "scheme": try Self.scheme(Self.thirtyTenSixty)],
            ]))
            let (_, versionOne) = try await Self.bytes(client, "/v1/reports/two-way?district=320412&year=2026&version=1", token: p.district)
            #expect(versionOne == finalized)
            let reopened = try await client.call(.get, "/v1/reports/two-way?district=320412&year=2026", token: p.district)
            #expect(reopened.json["evaluationVersion"] as? Int == 2 && reopened.json["status"] as? String == "open")
            // A: 96 × 30 % + 90 × 10 % + 100 × 60 % = 97.8; its government 90 × 30 % + 9 + 60 = 96.
            let a2 = try Self.agreement(reopened.json, Self.a)
            #expect(Self.side(a2, "committee").total == 97.8 && Self.side(a2, "government").total == 96)
            // B: 24 + 8 + 30 = 62, 合格 (80 % of 80,000 = 64,000; 16,000 transferred beyond); its government 21 + 7 + 30 = 58, 不合格.
            let b2 = try Self.agreement(reopened.json, Self.b)
            #expect(Self.side(b2, "committee").total == 62 && Self.side(b2, "committee").grade == "合格" && Self.side(b2, "government").total == 58)
            #expect(Self.settlement(b2) == [8_000_000, 80, 6_400_000, 1_600_000, 0, 6_400_000, 8_000_000, 0, 1_600_000])
            // C: 0 + 6 + the report filed after the finalization: 1 of 4 filed, none verified, 0 = 6; 50 % of 60,000 less 1,000.
            let c2 = try Self.agreement(reopened.json, Self.c)
            #expect(Self.side(c2, "committee").total == 6 && Self.side(c2, "government").total == 0)
            #expect(Self.settlement(c2) == [6_000_000, 50, 3_000_000, 3_000_000, 100_000, 2_900_000, 0, 2_900_000, 0])
            // A version never finalized is refused by name.
            let never = try await client.call(.get, "/v1/reports/two-way?district=320412&year=2026&version=2", token: p.district)
            #expect(never.status == .badRequest && never.field == "/version" && never.rule == "evaluation-version", "\(never.json)")
            #expect(try await client.call(.get, "/v1/reports/two-way?district=320412&year=2026", token: p.government).status == .notFound)
        }
    }

    /// A mid-year evaluation whose cut-off has passed: what was recorded after it is listed apart,
    /// as late, and scores nothing.
    @Test(.database) func filingsRecordedAfterTheCutoffAreListedApartAsLate() async throws {
        let database = try TestDatabase.current
        let street = try await Self.street(database)
        let p = street.p
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            try await street.build(client)
            var midYear = ScoringScheme.changzhou(year: 2026)
            midYear.evaluatedAsOf = LocalDate("2026-06-30")
            midYear.filingCutoff = LocalDate("2026-07-10")
            try Script.expectCreated(try await client.call(.post, Self.evaluation + "/events", token: p.district, body: [
                "type": "EvaluationOpened", "occurredAt": "2026-07-01T10:00:00+08:00", "data": ["scheme": try Self.scheme(midYear)],
            ]))
            try await Self.catchUp(database)
            // Everything here was recorded today, long after 10 July: none of it is scored, and every
            // filing about the first half is listed as late; nothing of the second half is.
            let report = try await client.call(.get, "/v1/reports/two-way?district=320412&year=2026", token: p.district)
            #expect(report.status == .ok && report.json["asOf"] as? String == "2026-06-30" && report.json["filingCutoff"] as? String == "2026-07-10", "\(report.json)")
            #expect((report.json["agreements"] as? [Any])?.isEmpty == true)
            let late = report.json["lateFilings"] as? [[String: Any]] ?? []
            let expected = try await database.client.query(
                """
                SELECT count(*) FROM events WHERE stream_id LIKE 'agreement-320412001%' AND occurred_at < '2026-07-01T00:00:00+08:00'
                """, logger: database.logger)
            var count = 0
            for try await n in expected.decode(Int.self) { count = n }
            #expect(late.count == count && count > 12, "\(late.count) late of \(count)")
            #expect(late.allSatisfy { ($0["on"] as? String).map { $0 <= "2026-06-30" } == true })
            #expect(late.contains { $0["type"] as? String == "TaskRefused" } && !late.contains { $0["type"] as? String == "BreachClaimFiled" })
        }
    }

    /// The printable report, checked in a real browser: headless Chromium prints it to PDF, and the
    /// PDF's pages, text and layout are what a district leader would be handed.
    @Test(.database) func theHTMLReportPrintsOnA4InChinese() async throws {
        let database = try TestDatabase.current
        let street = try await Self.street(database)
        let p = street.p
        let app = try await makeApp(database)
        let folder = FileManager.default.temporaryDirectory.appending(path: "zhengshe-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            try await street.build(client)
            try Script.expectCreated(try await client.call(.post, Self.evaluation + "/events", token: p.district, body: [
                "type": "EvaluationOpened", "occurredAt": "2026-12-01T10:00:00+08:00", "data": ["scheme": try Self.scheme(.changzhou(year: 2026))],
            ]))
            try await street.assess(client)
            try await Self.catchUp(database)
            let (status, html) = try await Self.bytes(client, "/v1/reports/two-way?district=320412&year=2026&format=html", token: p.district)
            let page = String(decoding: html, as: UTF8.self)
            #expect(status == .ok && page.hasPrefix("<!DOCTYPE html>"))
            // Filed text is escaped; the page needs nothing from elsewhere and runs no script.
            #expect(page.contains("&lt;b&gt;文明办&lt;/b&gt;") && !page.contains("<b>文明办</b>"))
            #expect(!page.contains("<script") && !page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("@import"))
            #expect(page.contains("<svg") && page.components(separatedBy: "<svg").count >= 4)
            try Data(html).write(to: folder.appending(path: "report.html"))
        }
        let pdf = folder.appending(path: "report.pdf").path
        try await Browser.printToPDF(folder.appending(path: "report.html").path, pdf)
        // Cover, street ranking and method, the street's own section: at least three A4 pages.
        let info = try await Browser.run("pdfinfo", [pdf])
        let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(pages >= 3, "\(info)")
        #expect(info.contains("(A4)"), "\(info)")
        let text = try await Browser.run("pdftotext", ["-layout", pdf, "-"])
        for expected in ["320412 2026 年度政社互动双向评估报告", "等次分布", "街道(镇)排名", "未经准入摊派事项的部门", "<b>文明办</b>", Self.a, "47.50", "优秀", "不合格", "评估方法"] {
            #expect(text.contains(expected), "the PDF's text lacks \(expected)")
        }
        // Nothing reaches past the right margin (14 mm = 39.7 pt from the edge of 595.3 pt).
        let boxes = try await Browser.run("pdftotext", ["-bbox", pdf, "-"])
        let rightEdges = boxes.split(separator: "\n").compactMap { line -> Double? in
            guard line.contains("<word"), let range = line.range(of: "xMax=\"") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "\"" })
        }
        #expect(!rightEdges.isEmpty && rightEdges.allSatisfy { $0 <= 595.3 - 39.7 + 1 }, "widest word ends at \(rightEdges.max() ?? 0) pt")
        // The first page as a picture, for a person to look at: non-blank.
        _ = try await Browser.run("pdftoppm", ["-r", "50", "-png", "-f", "1", "-l", "1", pdf, folder.appending(path: "page").path])
        let picture = try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("page") && $0.hasSuffix(".png") }
        let size = try picture.map { try FileManager.default.attributesOfItem(atPath: folder.appending(path: $0).path)[.size] as? Int ?? 0 } ?? 0
        #expect(size > 10_000, "the first page renders to a picture of \(size) bytes")
    }
}
