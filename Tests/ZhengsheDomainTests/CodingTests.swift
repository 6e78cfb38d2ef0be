import Foundation
import Testing
import ZhengsheDomain

/// One instance of every event type, for tests that must walk them all.
enum Samples {
    static let terms = Fixtures.terms()

    static let agreement: [AgreementEvent] = [
        Fixtures.drafted,
        .termsProposed(.init(termsVersion: 1, terms: terms)),
        .signed(.init(side: .government, signatory: "王主任", title: "街道办主任", termsVersion: 1)),
        .signingRefused(.init(side: .committee, termsVersion: 1, reason: "经费不足")),
        .tookEffect(.init(termsVersion: 1, effectiveOn: LocalDate("2026-01-10")!, fundingTotal: 150_000_00)),
        .amendmentProposed(.init(amendmentId: "am1", proposedBy: .government, rationale: "工作量增加", terms: terms)),
        .amendmentSigned(.init(amendmentId: "am1", side: .committee, signatory: "李书记", title: "主任")),
        .amendmentTookEffect(.init(amendmentId: "am1", termsVersion: 2, fundingTotal: 160_000_00)),
        .amendmentWithdrawn(.init(amendmentId: "am1", reason: "另行协商")),
        .amendmentRefused(.init(amendmentId: "am1", reason: "不同意")),
        .dutyReported(.init(reportId: "r1", itemId: "i1", period: "2026-03", indicatorValues: ["records": 98.5], evidence: ["台账.pdf"], dueDate: LocalDate("2026-03-31"))),
        .reportVerified(.init(reportId: "r1", note: "合格")),
        .reportRejected(.init(reportId: "r1", reason: "缺台账")),
        .guidanceGiven(.init(guidanceId: "g1", kind: .training, itemId: "i1", summary: "培训")),
        .fundsTransferred(.init(transferId: "t1", installmentId: "p1", amount: 75_000_00, valueDate: LocalDate("2026-03-30")!, voucher: "财拨-1", dueDate: LocalDate("2026-03-31"))),
        .receiptConfirmed(.init(transferId: "t1")),
        .receiptDiscrepancyReported(.init(transferId: "t1", receivedAmount: 70_000_00, reason: "少到账")),
        .taskRefused(.init(refusalId: "x1", requestingDepartment: "文明办", task: "创建台账", requestedOn: LocalDate("2026-05-01")!, admissionId: "ADM-7", admitted: true)),
        .breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-gov-1", description: "逾期拨付", deductionCap: 5_000_00)),
        .breachClaimAnswered(.init(claimId: "b1", response: "审批延误")),
        .breachClaimSettled(.init(claimId: "b1", outcome: .partlyUpheld, deduction: 2_000_00, rectificationDeadline: LocalDate("2026-07-15"), reasoning: "部分成立")),
        .rectificationReported(.init(claimId: "b1", summary: "已补拨")),
        .breachClaimWithdrawn(.init(claimId: "b1", reason: "已协商")),
        .terminated(.init(by: .bothSides, reason: "社区撤并")),
        .closed(.init(note: "年度结束")),
    ]

    static let lists: [CatalogueEvent] = [
        .listItemPublished(.init(list: .assistance, code: "A01", title: "人口信息采集", description: "说明", legalBasis: "依据", suggestedIndicators: ["完成率"])),
        .listItemWithdrawn(.init(list: .lawfulDuty, code: "L01", reason: "调整")),
        .admissionRequested(.init(admissionId: "ADM-1", department: "住建局", kind: .survey, title: "房屋普查", description: "说明", requestedBy: "320412001")),
        .admissionGranted(.init(admissionId: "ADM-1", validFrom: LocalDate("2026-01-01")!, validUntil: LocalDate("2026-12-31")!)),
        .admissionRejected(.init(admissionId: "ADM-1", reason: "重复")),
        .admissionRevoked(.init(admissionId: "ADM-1", reason: "到期")),
    ]

    static let evaluation: [EvaluationEvent] = [
        .opened(.init(scheme: .changzhou(year: 2026))),
        .committeeAssessed(.init(committee: "320412001001", score: 88, comment: "台账规范", items: [.init(itemId: "i1", score: 90, comment: "按时")])),
        .governmentAssessed(.init(committee: "320412001001", guidance: .init(score: 90, comment: "指导到位"), service: .init(score: 85, comment: "响应及时"),
                                  interference: .init(score: 80, comment: "摊派较少"), funding: .init(score: 70, comment: "拨付偏晚"))),
        .surveyResultsSubmitted(.init(committee: "320412001001", respondents: .init(ordinaryResidents: 40, representatives: 8, others: 2),
                                      questions: [.init(questionId: "q1", about: .committee, text: "对居委会工作是否满意", satisfied: 30, basicallySatisfied: 15, dissatisfied: 5)])),
        .finalized(.init(evaluationVersion: 1, globalPosition: 4_211, transactionHorizon: 77_000)),
        .reopened(.init(reason: "补录调查", scheme: nil, evaluationVersion: 2)),
    ]
}

@Suite struct CodingTests {
    /// Every type of each stream's table, through encode and decode, comes back equal; and the
    /// samples cover the whole table, so a new type cannot go untested.
    @Test func everyEventTypeRoundTrips() throws {
        func check<Event: StreamEvent>(_ samples: [Event]) throws {
            #expect(samples.map(\.typeName) == Event.typeNames, "one sample per type, in the table's order")
            for event in samples {
                let data = try event.encodedData()
                #expect(try Event.decode(typeName: event.typeName, data: data) == event, "\(event.typeName)")
            }
        }
        try check(Samples.agreement)
        try check(Samples.lists)
        try check(Samples.evaluation)
        #expect(AgreementEvent.typeNames.count == 25)
        #expect(Set(AgreementEvent.typeNames).count == 25, "type names are unique")
    }

    @Test func decodingErrorsNameTheField() {
        #expect(throws: EventDecodingError.invalidData(field: "/data/termsVersion", reason: "is required (必填)")) {
            try AgreementEvent.decode(typeName: "AgreementSigned", data: Data(#"{"side":"government","signatory":"王","title":"主任"}"#.utf8))
        }
        #expect(throws: EventDecodingError.unknownType("AgreementSung")) { try AgreementEvent.decode(typeName: "AgreementSung", data: Data("{}".utf8)) }
    }

    /// A filing may not carry a field its type lacks (a misspelt optional field would be lost), at
    /// any depth, nor one the service fills in.
    @Test func filingsRefuseUnknownAndServiceFilledFields() {
        #expect(throws: EventDecodingError.invalidData(field: "/data/nots", reason: "is not a field of this event type; check its spelling (无此字段)")) {
            try AgreementEvent.decodeFiling(typeName: "ReportVerified", data: Data(#"{"reportId":"r1","nots":"合格"}"#.utf8))
        }
        let deep = #"{"termsVersion":1,"terms":{"items":[{"itemId":"i1","code":"A01","title":"t","indicators":[{"name":"n","target":1,"unit":"户","period":"month","targt":2}],"frequency":"monthly","funding":1}],"lawfulDuties":[],"governmentCommitments":[],"installments":[],"breachClauses":[]}}"#
        #expect(throws: EventDecodingError.invalidData(field: "/data/terms/items/0/indicators/0/targt", reason: "is not a field of this event type; check its spelling (无此字段)")) {
            try AgreementEvent.decodeFiling(typeName: "TermsProposed", data: Data(deep.utf8))
        }
        #expect(throws: EventDecodingError.invalidData(field: "/data/deductionCap", reason: "is filled in by the service; leave it out (由系统填写，请勿提交)")) {
            try AgreementEvent.decodeFiling(typeName: "BreachClaimFiled", data: Data(#"{"claimId":"b","claimant":"committee","clauseId":"c","description":"d","deductionCap":1}"#.utf8))
        }
        #expect(throws: EventDecodingError.invalidData(field: "/data/requestedBy", reason: "is filled in by the service; leave it out (由系统填写，请勿提交)")) {
            try CatalogueEvent.decodeFiling(typeName: "AdmissionRequested", data: Data(#"{"admissionId":"a","department":"d","kind":"survey","title":"t","requestedBy":"320412001"}"#.utf8))
        }
        // An explicit null for an absent optional field, and keys of a free-form map, are fine.
        #expect(throws: Never.self) {
            _ = try AgreementEvent.decodeFiling(typeName: "ReportVerified", data: Data(#"{"reportId":"r1","note":null}"#.utf8))
            _ = try AgreementEvent.decodeFiling(typeName: "DutyReported", data: Data(#"{"reportId":"r","itemId":"i1","period":"2026-03","indicatorValues":{"任意指标":1}}"#.utf8))
        }
    }

    @Test func datesAreShanghaiCalendarDates() throws {
        #expect(LocalDate("2026-02-29") == nil)
        #expect(LocalDate("2026-02-28")?.adding(days: 1) == LocalDate("2026-03-01"))
        // 2026-03-31T17:00Z is already 1 April in Shanghai.
        #expect(LocalDate(Date(timeIntervalSince1970: 1_774_976_400)) == LocalDate("2026-04-01"))
        #expect(ReportingPeriod("2026-Q4")?.end == LocalDate("2026-12-31"))
        #expect(ReportingPeriod("2026-02")?.end == LocalDate("2026-02-28"))
        #expect(ReportingPeriod("2026-13") == nil)
    }
}

@Suite struct AccessTests {
    let agreement = AgreementID("320412001001-2026")!

    @Test func partiesSeeTheirOwnAgreementsOnly() {
        func sees(_ role: Actor.Role, _ party: String?, year: Int? = nil) -> Bool {
            Access.canSee(agreement, Actor(name: "x", role: role, party: party.flatMap(PartyCode.init), year: year))
        }
        #expect(sees(.government, "320412001"))
        #expect(!sees(.government, "320412002"))
        #expect(sees(.committee, "320412001001"))
        #expect(!sees(.committee, "320412001002"))
        #expect(sees(.district, "320412"))
        #expect(!sees(.district, "320411"))
        #expect(sees(.evaluator, "320412", year: 2026))
        #expect(!sees(.evaluator, "320412", year: 2025))
        #expect(sees(.admin, nil))
    }

    /// Every party of the district files on its evaluation (each within the rules); only the
    /// bureau, its evaluators of the year and admin read all of it.
    @Test func theEvaluationIsFiledInsideTheDistrictAndReadByItsBureau() {
        let evaluation = EvaluationID(district: PartyCode("320412")!, year: 2026)!
        func actor(_ role: Actor.Role, _ party: String?, year: Int? = nil) -> Actor { Actor(name: "x", role: role, party: party.flatMap(PartyCode.init), year: year) }
        #expect(evaluation.stream == "evaluation-320412-2026")
        #expect(Access.canFile(evaluation, actor(.committee, "320412001001")) && !Access.canSee(evaluation, actor(.committee, "320412001001")))
        #expect(Access.canFile(evaluation, actor(.government, "320412001")) && !Access.canSee(evaluation, actor(.government, "320412001")))
        #expect(!Access.canFile(evaluation, actor(.committee, "320411001001")) && !Access.canFile(evaluation, actor(.admin, nil)))
        #expect(Access.canFile(evaluation, actor(.evaluator, "320412", year: 2026)) && Access.canSee(evaluation, actor(.evaluator, "320412", year: 2026)))
        #expect(!Access.canFile(evaluation, actor(.evaluator, "320412", year: 2025)) && !Access.canSee(evaluation, actor(.evaluator, "320412", year: 2025)))
        #expect(Access.canSee(evaluation, actor(.district, "320412")) && Access.canSee(evaluation, actor(.admin, nil)))
    }

    @Test func listsAreSeenInsideTheirDistrict() {
        let lists = CatalogueID(district: PartyCode("320412")!, year: 2026)!
        #expect(Access.canSee(lists, Actor(name: "x", role: .committee, party: PartyCode("320412001001"))))
        #expect(!Access.canSee(lists, Actor(name: "x", role: .committee, party: PartyCode("320411001001"))))
        #expect(!Access.canSee(lists, Actor(name: "x", role: .government, party: nil)))
    }

    @Test func streamNamesComeFromIds() {
        #expect(agreement.stream == "agreement-320412001001-2026")
        #expect(agreement.lists.stream == "catalogue-320412-2026")
        #expect(AgreementID("320412001-2026") == nil, "a government code is not an agreement")
        #expect(AgreementID("320412001001-1999") == nil, "a year out of range")
    }
}
