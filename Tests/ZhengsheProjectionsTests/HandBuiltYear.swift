import Foundation
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheStore
import ZhengsheTestSupport

/// A hand-built year of one agreement, filed through the application as the parties would:
/// lists, draft, terms, signatures, transfers (one late, one short), an amendment that raises the
/// funding with an extra installment.
struct HandBuiltYear {
    static let now = LocalDate("2026-12-31")!.start.addingTimeInterval(20 * 3600)
    let app: ApplicationServices
    let bureau = Actor(name: "民政局", role: .district, party: PartyCode("320412"))
    let government = Actor(name: "街道办", role: .government, party: PartyCode("320412001"))
    let committee = Actor(name: "居委会", role: .committee, party: PartyCode("320412001001"))
    let agreement = "320412001001-2026"

    init(_ database: TestDatabase) {
        app = ApplicationServices(store: database.store, tokens: TokenStore(client: database.client, logger: database.logger),
                                  clock: { Self.now }, readYourWritesWait: .seconds(30), logger: database.logger)
    }

    func file(_ type: String, _ data: [String: Any], by actor: Actor, on date: String) async throws {
        let filing = Filing(type: type, occurredAt: LocalDate(date)!.start.addingTimeInterval(10 * 3600),
                            data: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), requestID: "test")
        if type.hasPrefix("ListItem") {
            _ = try await app.catalogues.file(filing, district: "320412", year: 2026, by: actor)
        } else {
            _ = try await app.agreements.file(filing, on: agreement, by: actor)
        }
    }

    static func terms(_ funding: Int, extra: Int? = nil) -> [String: Any] {
        var installments: [[String: Any]] = [
            ["installmentId": "p1", "dueDate": "2026-03-31", "amount": funding / 2],
            ["installmentId": "p2", "dueDate": "2026-09-30", "amount": funding - funding / 2],
        ]
        if let extra { installments.append(["installmentId": "p3", "dueDate": "2026-11-30", "amount": extra]) }
        return [
            "items": [
                ["itemId": "i1", "code": "A01", "title": "人口信息采集", "indicators": [] as [Any], "frequency": "monthly", "funding": funding + (extra ?? 0)],
            ],
            "lawfulDuties": ["L01"], "governmentCommitments": [
                ["commitmentId": "g-visit", "kind": "guidance", "description": "采集业务上门指导", "itemId": "i1"],
                ["commitmentId": "g-train", "kind": "training", "description": "年度业务培训"],
                ["commitmentId": "g-room", "kind": "workingConditions", "description": "提供采集设备"],
            ], "installments": installments,
            "breachClauses": [
                ["clauseId": "c-gov", "party": "government", "description": "未按期拨付经费", "deductionCap": 500_000],
                ["clauseId": "c-com", "party": "committee", "description": "未完成协助事项", "deductionCap": 300_000],
            ],
        ]
    }

    /// Up to the first transfers.
    func firstHalf() async throws {
        try await file("ListItemPublished", ["list": "assistance", "code": "A01", "title": "人口信息采集"], by: bureau, on: "2026-01-02")
        try await file("ListItemPublished", ["list": "lawfulDuty", "code": "L01", "title": "居民会议"], by: bureau, on: "2026-01-02")
        try await file("AgreementDrafted", ["government": "320412001", "committee": "320412001001", "year": 2026, "termStart": "2026-01-01", "termEnd": "2026-12-31"],
                       by: government, on: "2026-01-05")
        try await file("TermsProposed", ["termsVersion": 1, "terms": Self.terms(10_000_000)], by: government, on: "2026-01-05")
        try await file("AgreementSigned", ["side": "government", "signatory": "王", "title": "主任", "termsVersion": 1], by: government, on: "2026-01-08")
        try await file("AgreementSigned", ["side": "committee", "signatory": "李", "title": "主任", "termsVersion": 1], by: committee, on: "2026-01-09")
        // Reports on i1: January late and verified; February on time, rejected, refiled late; March never.
        try await file("DutyReported", ["reportId": "r-01", "itemId": "i1", "period": "2026-01", "indicatorValues": [:] as [String: Any]], by: committee, on: "2026-02-03")
        try await file("ReportVerified", ["reportId": "r-01"], by: government, on: "2026-02-05")
        try await file("DutyReported", ["reportId": "r-02", "itemId": "i1", "period": "2026-02", "indicatorValues": [:] as [String: Any]], by: committee, on: "2026-02-27")
        try await file("ReportRejected", ["reportId": "r-02", "reason": "缺少台账"], by: government, on: "2026-03-02")
        try await file("DutyReported", ["reportId": "r-02b", "itemId": "i1", "period": "2026-02", "indicatorValues": [:] as [String: Any]], by: committee, on: "2026-03-05")
        // A guidance visit on i1 (answers g-visit); a task pushed without admission, refused.
        try await file("GuidanceGiven", ["guidanceId": "gd1", "kind": "visit", "itemId": "i1", "summary": "上门指导采集"], by: government, on: "2026-03-10")
        try await file("TaskRefused", ["refusalId": "x1", "requestingDepartment": "文明办", "task": "文明创建台账", "requestedOn": "2026-03-18"], by: committee, on: "2026-03-20")
        // p1 (due 31 March) paid late, in full, and confirmed.
        try await file("FundsTransferred", ["transferId": "t1", "installmentId": "p1", "amount": 5_000_000, "valueDate": "2026-04-10", "voucher": "财拨-1"],
                       by: government, on: "2026-04-10")
        try await file("ReceiptConfirmed", ["transferId": "t1"], by: committee, on: "2026-04-12")
    }

    /// The amendment and the rest of the money.
    func secondHalf() async throws {
        try await file("AmendmentProposed", ["amendmentId": "am1", "proposedBy": "government", "rationale": "追加经费", "terms": Self.terms(10_000_000, extra: 2_000_000)],
                       by: government, on: "2026-06-01")
        try await file("AmendmentSigned", ["amendmentId": "am1", "side": "government", "signatory": "王", "title": "主任"], by: government, on: "2026-06-02")
        try await file("AmendmentSigned", ["amendmentId": "am1", "side": "committee", "signatory": "李", "title": "主任"], by: committee, on: "2026-06-03")
        // p2 on time but short on arrival.
        try await file("FundsTransferred", ["transferId": "t2", "installmentId": "p2", "amount": 5_000_000, "valueDate": "2026-09-28", "voucher": "财拨-2"],
                       by: government, on: "2026-09-28")
        try await file("ReceiptDiscrepancyReported", ["transferId": "t2", "receivedAmount": 4_500_000, "reason": "少到账5000元"], by: committee, on: "2026-09-30")
        // The committee claims against the government; the district deducts 2,000 yuan.
        try await file("BreachClaimFiled", ["claimId": "b1", "claimant": "committee", "clauseId": "c-gov", "description": "第一批经费逾期"], by: committee, on: "2026-10-05")
        try await file("BreachClaimSettled", ["claimId": "b1", "outcome": "partlyUpheld", "deduction": 200_000, "reasoning": "逾期属实"], by: bureau, on: "2026-10-20")
        // Training given (answers g-train); the government claims against the committee, unanswered.
        try await file("GuidanceGiven", ["guidanceId": "gd2", "kind": "training", "summary": "年度培训"], by: government, on: "2026-07-15")
        try await file("BreachClaimFiled", ["claimId": "b2", "claimant": "government", "clauseId": "c-com", "description": "三月报告未报"], by: government, on: "2026-11-02")
    }
}
