import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhengsheAPI
import ZhengsheProjections
import ZhengsheStore
import ZhengsheTestSupport

/// A district's evaluation over HTTP: each role files its part, the refusals name their field and
/// record nothing, the bureau reads the whole, and finalizing records where the log stood.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EvaluationAPITests {
    static let path = "/v1/districts/320412/evaluations/2026"

    static func scheme() -> [String: Any] {
        let grades: [[String: Any]] = [["name": "优秀", "minimum": 90], ["name": "良好", "minimum": 80], ["name": "合格", "minimum": 60], ["name": "不合格", "minimum": 0]]
        return [
            "schemeId": "changzhou-2026", "description": "常州做法：居民满意度占50%，部门评价占50%",
            "committee": [
                ["componentId": "residents", "title": "居民满意度", "weight": 50, "formula": "surveySatisfaction"],
                ["componentId": "assessment", "title": "街道评价", "weight": 50, "formula": "assessment"],
            ],
            "government": [
                ["componentId": "residents", "title": "居民满意度", "weight": 50, "formula": "surveySatisfaction"],
                ["componentId": "assessment", "title": "居委会评价", "weight": 40, "formula": "assessment"],
                ["componentId": "admission", "title": "未经准入摊派扣分", "weight": 10, "formula": "unadmittedTasksDeduction", "pointsEach": 20],
            ],
            "grades": grades, "survey": ["minimumRespondents": 50, "minimumOrdinaryPercent": 70],
            "settlement": [["grade": "优秀", "releasePercent": 100], ["grade": "不合格", "releasePercent": 80]],
        ]
    }

    @Test(.database) func eachRoleFilesItsPartAndTheBureauReadsTheWhole() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        try await app.test(.router) { client in
            func file(_ type: String, _ data: [String: Any], _ token: String, on date: String = "2026-12-10") async throws -> Answer {
                try await client.call(.post, Self.path + "/events", token: token, body: ["type": type, "occurredAt": "\(date)T10:00:00+08:00", "data": data])
            }
            // Nothing can be scored before the bureau opens the evaluation.
            let early = try await file("CommitteeAssessed", ["committee": "320412001001", "score": 88, "comment": "台账规范"], p.government)
            #expect(early.status == .unprocessableContent && early.rule == "evaluation-open", "\(early.json)")
            var uneven = Self.scheme()
            uneven["committee"] = [["componentId": "residents", "title": "居民满意度", "weight": 60, "formula": "surveySatisfaction"]]
            let refused = try await file("EvaluationOpened", ["scheme": uneven], p.district, on: "2026-12-01")
            #expect(refused.status == .unprocessableContent && refused.field == "/data/scheme/committee" && refused.rule == "scheme-weights", "\(refused.json)")
            try Script.expectCreated(try await file("EvaluationOpened", ["scheme": Self.scheme()], p.district, on: "2026-12-01"))

            try Script.expectCreated(try await file("CommitteeAssessed", ["committee": "320412001001", "score": 88, "comment": "台账规范"], p.government))
            let scores: [String: Any] = [
                "committee": "320412001001", "guidance": ["score": 90, "comment": "指导到位"], "service": ["score": 85, "comment": "响应及时"],
                "interference": ["score": 80, "comment": "摊派较少"], "funding": ["score": 70, "comment": "拨付偏晚"],
            ]
            try Script.expectCreated(try await file("GovernmentAssessed", scores, p.committee))
            // Another street's committee may not score this one's government; it is told which field.
            let other = try await file("GovernmentAssessed", scores, p.otherCommittee)
            #expect(other.status == .forbidden && other.field == "/data/committee", "\(other.json)")
            // The third party's thin sample is refused with how many are missing; a full one is recorded.
            var survey: [String: Any] = [
                "committee": "320412001001", "respondents": ["ordinaryResidents": 30, "representatives": 6, "others": 2],
                "questions": [["questionId": "q1", "about": "committee", "text": "您对居委会的工作是否满意", "satisfied": 25, "basicallySatisfied": 10, "dissatisfied": 3]],
            ]
            let thin = try await file("SurveyResultsSubmitted", survey, p.evaluator)
            #expect(thin.status == .unprocessableContent && thin.rule == "survey-sample" && (thin.json["detail"] as? String)?.contains("还差12人") == true, "\(thin.json)")
            survey["respondents"] = ["ordinaryResidents": 42, "representatives": 6, "others": 2]
            try Script.expectCreated(try await file("SurveyResultsSubmitted", survey, p.evaluator))
            // Service-filled fields are not the filer's to give.
            let forged = try await file("EvaluationFinalized", ["globalPosition": 1], p.district)
            #expect(forged.status == .badRequest && forged.field == "/data/globalPosition", "\(forged.json)")

            // The bureau and the evaluator read the whole; a committee or a government is told it does not exist.
            let view = try await client.call(.get, Self.path, token: p.district)
            #expect(view.status == .ok && view.json["status"] as? String == "open" && view.json["evaluationVersion"] as? Int == 1)
            let committees = view.json["committees"] as? [[String: Any]]
            #expect(committees?.count == 1 && (committees?.first?["committeeAssessed"] as? [String: Any])?["score"] as? Int == 88)
            #expect(((committees?.first?["survey"] as? [String: Any])?["respondents"] as? [String: Int])?["ordinaryResidents"] == 42)
            #expect(try await client.call(.get, Self.path, token: p.evaluator).status == .ok)
            #expect(try await client.call(.get, Self.path, token: p.committee).status == .notFound)
            #expect(try await client.call(.get, Self.path, token: p.government).status == .notFound)
            #expect(try await client.call(.get, "/v1/districts/320412/evaluations/2026/events", token: p.committee).status == .notFound)
            let history = try await client.call(.get, "/v1/districts/320412/evaluations/2026/events", token: p.district)
            #expect((history.json["events"] as? [[String: Any]])?.map { $0["type"] as? String } == [
                "EvaluationOpened", "CommitteeAssessed", "GovernmentAssessed", "SurveyResultsSubmitted",
            ])

            // Finalizing records the version and where the log stood; the evaluation then takes nothing more.
            let head = try await database.store.horizon()
            try Script.expectCreated(try await file("EvaluationFinalized", [:], p.district, on: "2026-12-31"))
            let finalized = try await client.call(.get, Self.path, token: p.district)
            let finalization = (finalized.json["finalizations"] as? [[String: Any]])?.first
            #expect(finalized.json["status"] as? String == "finalized" && finalization?["evaluationVersion"] as? Int == 1)
            #expect((finalization?["globalPosition"] as? Int).map { $0 >= head.globalPosition } == true, "\(String(describing: finalization))")
            let late = try await file("CommitteeAssessed", ["committee": "320412001001", "score": 95, "comment": "补评"], p.government, on: "2026-12-31")
            #expect(late.status == .unprocessableContent && late.rule == "evaluation-open")
        }
    }

    /// Both sides of the test agreement scored from the record and the submissions, graded and
    /// settled, worked out by hand under the test scheme.
    @Test(.database) func theTwoWayReportScoresGradesAndSettles() async throws {
        let database = try TestDatabase.current
        let p = try await Parties.create(database)
        let app = try await makeApp(database)
        let runners = Projections.all.map { projection in
            Task { await ProjectionRunner(projection: projection, store: database.store, logger: database.logger).runUntilCancelled() }
        }
        defer { for runner in runners { runner.cancel() } }
        try await app.test(.router) { client in
            func file(_ type: String, _ data: [String: Any], _ token: String, on date: String = "2026-12-10") async throws {
                try Script.expectCreated(try await client.call(.post, Self.path + "/events", token: token,
                                                               body: ["type": type, "occurredAt": "\(date)T10:00:00+08:00", "data": data]))
            }
            try await Script.bringIntoEffect(client, p)
            try await file("EvaluationOpened", ["scheme": Self.scheme()], p.district, on: "2026-12-01")
            try await file("CommitteeAssessed", ["committee": "320412001001", "score": 88, "comment": "台账规范"], p.government)
            try await file("GovernmentAssessed", [
                "committee": "320412001001", "guidance": ["score": 90, "comment": "指导到位"], "service": ["score": 85, "comment": "响应及时"],
                "interference": ["score": 80, "comment": "摊派较少"], "funding": ["score": 70, "comment": "拨付偏晚"],
            ], p.committee)
            try await file("SurveyResultsSubmitted", [
                "committee": "320412001001", "respondents": ["ordinaryResidents": 42, "representatives": 6, "others": 2],
                "questions": [["questionId": "q1", "about": "committee", "text": "您对居委会的工作是否满意", "satisfied": 35, "basicallySatisfied": 12, "dissatisfied": 3]],
            ], p.evaluator)

            var report = Answer(status: .serviceUnavailable, headers: [:], json: [:])
            for _ in 0..<300 {
                report = try await client.call(.get, Self.path + "/report", token: p.district)
                if report.status == .ok, (report.json["agreements"] as? [Any])?.count == 1 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(report.status == .ok && report.json["status"] as? String == "open" && report.json["asOf"] as? String == "2026-12-31", "\(report.json)")
            let agreement = try #require((report.json["agreements"] as? [[String: Any]])?.first)
            // Committee: 47 of 50 satisfied answers = 94 × 50 % = 47; the government's 88 × 50 % = 44: 91, 优秀.
            let committee = try #require(agreement["committeeScore"] as? [String: Any])
            #expect(committee["total"] as? Double == 91 && committee["grade"] as? String == "优秀", "\(committee)")
            // Government: no survey question about it (missing, 0); the committee's mean 81.25 × 40 % = 32.5;
            // no unadmitted task, 100 × 10 % = 10: 42.5, 不合格.
            let government = try #require(agreement["governmentScore"] as? [String: Any])
            #expect(government["total"] as? Double == 42.5 && government["grade"] as? String == "不合格" && government["missing"] as? [String] == ["residents"])
            // 优秀 releases all of the 120,000 yuan promised; nothing was transferred, so all of it is still due.
            let settlement = try #require(agreement["settlement"] as? [String: Any])
            #expect(settlement["releasePercent"] as? Int == 100 && settlement["released"] as? Int == 12_000_000 && settlement["stillDue"] as? Int == 12_000_000)
            let summary = report.json["summary"] as? [String: Any]
            #expect(summary?["committeeAverage"] as? Double == 91 && (summary?["committeeGrades"] as? [String: Int]) == ["优秀": 1])
            #expect(try await client.call(.get, Self.path + "/report", token: p.government).status == .notFound)
            // The third party's frame: the items and commitments to ask about, and the sample to reach.
            // (The frame reads the read side, which follows the log a moment behind: a busy test run
            // may ask before it has the terms.)
            var frame = try await client.call(.get, Self.path + "/frame", token: p.evaluator)
            let asked = ContinuousClock.now
            while ((frame.json["committees"] as? [[String: Any]])?.first?["items"] as? [Any] ?? []).isEmpty, ContinuousClock.now - asked < .seconds(20) {
                try await Task.sleep(for: .milliseconds(100))
                frame = try await client.call(.get, Self.path + "/frame", token: p.evaluator)
            }
            let framed = (frame.json["committees"] as? [[String: Any]])?.first
            #expect(frame.status == .ok && (frame.json["survey"] as? [String: Int])?["minimumRespondents"] == 50, "\(frame.json)")
            #expect((framed?["items"] as? [[String: Any]])?.map { $0["itemId"] as? String } == ["i1", "i2"])
            #expect((framed?["commitments"] as? [[String: Any]])?.first?["description"] as? String == "季度业务培训")
            try await client.execute(uri: Self.path + "/frame", method: .get, headers: [.authorization: "Bearer \(p.evaluator)", .accept: "text/csv"]) { response in
                let text = String(decoding: Array(response.body.readableBytesView).dropFirst(3), as: UTF8.self)
                let lines = text.split(separator: "\r\n")
                #expect(lines.count == 2 && lines[0].contains("ordinaryResidents 普通居民人数") && lines[1].hasPrefix("320412001001,320412001,320412001001-2026,"))
                #expect(lines[1].hasSuffix(",50,70,,,,,,,,,"), "\(lines[1])")
            }
            // As CSV for Excel: the byte-order mark, Chinese headers, one line per agreement.
            try await client.execute(uri: Self.path + "/report?format=csv", method: .get, headers: [.authorization: "Bearer \(p.district)"]) { response in
                let bytes = Array(response.body.readableBytesView)
                #expect(response.status == .ok && bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
                let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
                #expect(lines.count == 2 && lines[0].hasPrefix("agreement 协议,") && lines[0].contains("committeeGrade 居委会等次"))
                #expect(lines[1].hasPrefix("320412001001-2026,320412001,320412001001,94.00,88.00,91.00,优秀,"), "\(lines[1])")
                #expect(lines[1].contains(",government.residents,12000000,100,12000000,0,0,12000000,0,12000000,0"), "\(lines[1])")
            }
        }
    }
}
