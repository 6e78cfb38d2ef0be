import Foundation
import Testing
import ZhengsheDomain

@Suite struct PerformanceTests {
    let report = AgreementEvent.dutyReported(.init(reportId: "r1", itemId: "i1", period: "2026-03", indicatorValues: ["records": 96], evidence: ["ledger/2026-03.pdf"]))

    @Test func reportsOnlyOnAgreedItemsInsideTheTermWhileInEffect() throws {
        S([Fixtures.drafted]).expectRefusal(report, by: Fixtures.committeeActor, rule: "in-effect")
        let s = S(Fixtures.inEffect)
        let filed = try s.when(report, by: Fixtures.committeeActor)
        guard case .dutyReported(let recorded) = filed.first else { Issue.record("no report"); return }
        #expect(recorded.dueDate == LocalDate("2026-03-31"), "the service records the due date")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i9", period: "2026-03", indicatorValues: [:])), by: Fixtures.committeeActor, rule: "agreed-item", field: "/data/itemId")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2027-01", indicatorValues: [:])), by: Fixtures.committeeActor, rule: "inside-term")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "March", indicatorValues: [:])), by: Fixtures.committeeActor, rule: "period")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2026-03", indicatorValues: ["visits": 1])), by: Fixtures.committeeActor,
                        rule: "agreed-indicator", field: "/data/indicatorValues/visits")
        s.expectRefusal(report, by: Fixtures.governmentActor, rule: "own-events-only")
    }

    @Test func aReportIsVerifiedOrRejectedOnceByTheGovernment() throws {
        var s = S(Fixtures.inEffect)
        try s.file(report, by: Fixtures.committeeActor)
        s.expectRefusal(.reportVerified(.init(reportId: "r1")), by: Fixtures.committeeActor, rule: "own-events-only", kind: .forbidden)
        try s.file(.reportRejected(.init(reportId: "r1", reason: "缺少台账")), by: Fixtures.governmentActor)
        s.expectRefusal(.reportVerified(.init(reportId: "r1")), by: Fixtures.governmentActor, rule: "verified-once")
        s.expectRefusal(.reportVerified(.init(reportId: "r404")), by: Fixtures.governmentActor, rule: "report-exists", kind: .notFound)
        // A rejected report may be filed again for the same period; a standing one may not.
        try s.file(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2026-03", indicatorValues: ["records": 100])), by: Fixtures.committeeActor)
        s.expectRefusal(.dutyReported(.init(reportId: "r3", itemId: "i1", period: "2026-03", indicatorValues: [:])), by: Fixtures.committeeActor, rule: "one-report-per-period")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2026-04", indicatorValues: [:])), by: Fixtures.committeeActor, rule: "unique-id")
    }

    @Test func transfersArePositiveAndWithinTheSchedule() throws {
        var s = S(Fixtures.inEffect)
        let transfer = { (id: String, amount: Int64) in
            AgreementEvent.fundsTransferred(.init(transferId: id, installmentId: "p1", amount: amount, valueDate: LocalDate("2026-03-30")!, voucher: "V-\(id)"))
        }
        s.expectRefusal(transfer("t0", 0), by: Fixtures.governmentActor, rule: "amount-positive", field: "/data/amount")
        s.expectRefusal(transfer("t0", 100), by: Fixtures.committeeActor, rule: "own-events-only")
        try s.file(transfer("t1", 100_000_00), by: Fixtures.governmentActor)
        guard case .fundsTransferred(let recorded) = s.history.last else { Issue.record(); return }
        #expect(recorded.dueDate == LocalDate("2026-03-31"))
        s.expectRefusal(transfer("t2", 50_000_01), by: Fixtures.governmentActor, rule: "within-schedule")
        s.expectRefusal(.fundsTransferred(.init(transferId: "t2", installmentId: "p9", amount: 1, valueDate: LocalDate("2026-03-30")!, voucher: "v")),
                        by: Fixtures.governmentActor, rule: "scheduled-installment")
        try s.file(transfer("t2", 50_000_00), by: Fixtures.governmentActor)
        #expect(s.state.transferredTotal == 150_000_00)
    }

    @Test func onlyTheCommitteeConfirmsReceiptOnce() throws {
        var s = S(Fixtures.inEffect)
        try s.file(.fundsTransferred(.init(transferId: "t1", installmentId: "p1", amount: 75_000_00, valueDate: LocalDate("2026-03-30")!, voucher: "V1")), by: Fixtures.governmentActor)
        s.expectRefusal(.receiptConfirmed(.init(transferId: "t1")), by: Fixtures.governmentActor, rule: "own-events-only", kind: .forbidden)
        try s.file(.receiptDiscrepancyReported(.init(transferId: "t1", receivedAmount: 70_000_00, reason: "少到账5000元")), by: Fixtures.committeeActor)
        s.expectRefusal(.receiptConfirmed(.init(transferId: "t1")), by: Fixtures.committeeActor, rule: "receipt-once")
    }

    @Test func aRefusedTaskRecordsWhetherItWasAdmitted() throws {
        let s = S(Fixtures.inEffect)
        let unadmitted = try s.when(.taskRefused(.init(refusalId: "x1", requestingDepartment: "文明办", task: "创建台账", requestedOn: LocalDate("2026-05-01")!)), by: Fixtures.committeeActor)
        #expect(unadmitted == [.taskRefused(.init(refusalId: "x1", requestingDepartment: "文明办", task: "创建台账", requestedOn: LocalDate("2026-05-01")!, admitted: false))])
        let admitted = try s.when(.taskRefused(.init(refusalId: "x2", requestingDepartment: "住建局", task: "房屋普查", requestedOn: LocalDate("2026-05-01")!, admissionId: "ADM-7")), by: Fixtures.committeeActor)
        guard case .taskRefused(let recorded) = admitted.first else { Issue.record(); return }
        #expect(recorded.admitted == true)
        s.expectRefusal(.taskRefused(.init(refusalId: "x3", requestingDepartment: "x", task: "y", requestedOn: LocalDate("2026-05-01")!)), by: Fixtures.governmentActor, rule: "own-events-only")
    }

    @Test func guidanceIsTheGovernmentsAndNamesAnAgreedItem() throws {
        let s = S(Fixtures.inEffect)
        #expect(try s.when(.guidanceGiven(.init(guidanceId: "g1", kind: .visit, itemId: "i1", summary: "入户指导")), by: Fixtures.governmentActor).count == 1)
        s.expectRefusal(.guidanceGiven(.init(guidanceId: "g1", kind: .visit, itemId: "i7", summary: "x")), by: Fixtures.governmentActor, rule: "agreed-item")
        s.expectRefusal(.guidanceGiven(.init(guidanceId: "g1", kind: .visit, itemId: nil, summary: "x")), by: Fixtures.committeeActor, rule: "own-events-only")
    }
}

@Suite struct BreachClaimTests {
    let claim = AgreementEvent.breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-gov-1", description: "第二批经费逾期未拨付"))

    @Test func aClaimCitesAClauseOfTheOtherSideAndRecordsItsCap() throws {
        let s = S(Fixtures.inEffect)
        guard case .breachClaimFiled(let filed) = try s.when(claim, by: Fixtures.committeeActor).first else { Issue.record(); return }
        #expect(filed.deductionCap == 5_000_00)
        s.expectRefusal(.breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-com-1", description: "x")), by: Fixtures.committeeActor, rule: "claim-against-other-side")
        s.expectRefusal(.breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-none", description: "x")), by: Fixtures.committeeActor, rule: "agreed-clause")
        s.expectRefusal(claim, by: Fixtures.governmentActor, rule: "own-events-only")
    }

    @Test func onlyTheDistrictSettlesAndNeverBeyondTheCap() throws {
        var s = S(Fixtures.inEffect)
        try s.file(claim, by: Fixtures.committeeActor)
        try s.file(.breachClaimAnswered(.init(claimId: "b1", response: "财政流程延误")), by: Fixtures.governmentActor)
        let settle = { (deduction: Int64) in
            AgreementEvent.breachClaimSettled(.init(claimId: "b1", outcome: .partlyUpheld, deduction: deduction, rectificationDeadline: LocalDate("2026-07-15")!, reasoning: "部分成立"))
        }
        s.expectRefusal(settle(1_000_00), by: Fixtures.governmentActor, rule: "own-events-only", kind: .forbidden)
        let otherDistrict = Actor(name: "x", role: .district, party: PartyCode("320411"))
        s.expectRefusal(settle(1_000_00), by: otherDistrict, rule: "own-events-only")
        s.expectRefusal(settle(5_000_01), by: Fixtures.districtActor, rule: "deduction-within-cap", field: "/data/deduction")
        try s.file(settle(5_000_00), by: Fixtures.districtActor)
        s.expectRefusal(.rectificationReported(.init(claimId: "b1", summary: "已拨付")), by: Fixtures.committeeActor, rule: "own-events-only")
        try s.file(.rectificationReported(.init(claimId: "b1", summary: "已补拨")), by: Fixtures.governmentActor)
        #expect(s.state.claims["b1"]?.status == .rectified)
    }

    /// The cap recorded when the claim was filed governs its settlement: an amendment that lowers or
    /// drops the clause afterwards does not change what the district may deduct.
    @Test func theCapRecordedAtFilingGovernsTheSettlement() throws {
        var s = S(Fixtures.inEffect)
        try s.file(claim, by: Fixtures.committeeActor)
        var amended = Fixtures.terms()
        amended.breachClauses = amended.breachClauses.map { clause in
            var clause = clause
            clause.deductionCap = 1_00
            return clause
        }
        try s.file(.amendmentProposed(.init(amendmentId: "am1", proposedBy: .government, rationale: "下调上限", terms: amended)), by: Fixtures.governmentActor)
        try s.file(.amendmentSigned(.init(amendmentId: "am1", side: .government, signatory: "王", title: "主任")), by: Fixtures.governmentActor)
        try s.file(.amendmentSigned(.init(amendmentId: "am1", side: .committee, signatory: "李", title: "主任")), by: Fixtures.committeeActor)
        #expect(s.state.effectiveTerms?.clause("c-gov-1")?.deductionCap == 1_00)
        let settle = { (deduction: Int64) in
            AgreementEvent.breachClaimSettled(.init(claimId: "b1", outcome: .upheld, deduction: deduction, rectificationDeadline: nil, reasoning: "成立"))
        }
        s.expectRefusal(settle(5_000_01), by: Fixtures.districtActor, rule: "deduction-within-cap", field: "/data/deduction")
        s.then(settle(5_000_00), by: Fixtures.districtActor, records: [settle(5_000_00)])
        try s.file(settle(4_000_00), by: Fixtures.districtActor)
        #expect(s.state.claims["b1"]?.deduction == 4_000_00)
    }

    @Test func dismissedClaimsCarryNoRemedyAndClaimantsMayWithdraw() throws {
        var s = S(Fixtures.inEffect)
        try s.file(claim, by: Fixtures.committeeActor)
        s.expectRefusal(.breachClaimSettled(.init(claimId: "b1", outcome: .dismissed, deduction: 100, rectificationDeadline: nil, reasoning: "x")), by: Fixtures.districtActor, rule: "dismissed-no-remedy")
        s.expectRefusal(.breachClaimWithdrawn(.init(claimId: "b1")), by: Fixtures.governmentActor, rule: "own-events-only")
        try s.file(.breachClaimWithdrawn(.init(claimId: "b1", reason: "已协商解决")), by: Fixtures.committeeActor)
        s.expectRefusal(.breachClaimAnswered(.init(claimId: "b1", response: "x")), by: Fixtures.governmentActor, rule: "claim-status")
    }

    @Test func nothingIsFiledOnATerminatedOrClosedAgreement() throws {
        var terminated = S(Fixtures.inEffect)
        terminated.expectRefusal(.terminated(.init(by: .district, reason: "x")), by: Fixtures.governmentActor, rule: "own-events-only")
        try terminated.file(.terminated(.init(by: .district, reason: "居委会撤并")), by: Fixtures.districtActor)
        terminated.expectRefusal(PerformanceTests().report, by: Fixtures.committeeActor, rule: "agreement-open")

        var closed = S(Fixtures.inEffect)
        closed.expectRefusal(.closed(.init()), by: Fixtures.governmentActor, at: Fixtures.on("2026-11-30"), rule: "closed-at-term-end")
        try closed.file(.closed(.init(note: "年度结束")), by: Fixtures.governmentActor, at: Fixtures.on("2026-12-31"))
        closed.expectRefusal(.guidanceGiven(.init(guidanceId: "g", kind: .visit, itemId: nil, summary: "x")), by: Fixtures.governmentActor, at: Fixtures.on("2026-12-31"), rule: "agreement-open")
    }
}

@Suite struct CatalogueTests {
    typealias L = DeciderSpecification<CatalogueDecider>
    let publish = CatalogueEvent.listItemPublished(.init(list: .assistance, code: "A01", title: "人口信息采集"))
    let request = CatalogueEvent.admissionRequested(.init(admissionId: "ADM-1", department: "文明办", kind: .ledger, title: "创建台账"))

    @Test func theDistrictKeepsTheListsAndGovernmentsRequestAdmission() throws {
        var lists = L(lists: [])
        lists.expectRefusal(publish, by: Fixtures.governmentActor, rule: "district-keeps-lists", field: "/type", kind: .forbidden)
        try lists.file(publish, by: Fixtures.districtActor)
        lists.expectRefusal(publish, by: Fixtures.districtActor, rule: "unique-code", field: "/data/code")

        lists.expectRefusal(request, by: Fixtures.districtActor, rule: "admission-requested-by-government", kind: .forbidden)
        let recorded = try lists.when(request, by: Fixtures.governmentActor)
        guard case .admissionRequested(let filed) = recorded.first else { Issue.record(); return }
        #expect(filed.requestedBy == "320412001")
        try lists.file(request, by: Fixtures.governmentActor)
        lists.expectRefusal(.admissionRevoked(.init(admissionId: "ADM-1", reason: "x")), by: Fixtures.districtActor,
                            rule: "admission-status", field: "/data/admissionId")
        lists.expectRefusal(.admissionGranted(.init(admissionId: "ADM-1", validFrom: LocalDate("2026-06-30")!, validUntil: LocalDate("2026-02-01")!)),
                            by: Fixtures.districtActor, rule: "validity-period", field: "/data/validUntil")
        try lists.file(.admissionGranted(.init(admissionId: "ADM-1", validFrom: LocalDate("2026-02-01")!, validUntil: LocalDate("2026-06-30")!)), by: Fixtures.districtActor)
        #expect(lists.state.admissions["ADM-1"]?.isInForce(on: LocalDate("2026-03-01")!) == true)
        #expect(lists.state.admissions["ADM-1"]?.isInForce(on: LocalDate("2026-07-01")!) == false)
    }

    @Test func aStrangerGovernmentCannotRequestAdmissionInAnotherDistrict() {
        let stranger = Actor(name: "x", role: .government, party: PartyCode("320411001"))
        L(lists: []).expectRefusal(request, by: stranger, rule: "admission-requested-by-government", kind: .forbidden)
    }

    /// The not-in-the-future rule holds on every stream, the lists too.
    @Test func listFilingsCannotLieInTheFuture() {
        let lists = L(lists: [])
        lists.expectRefusal(publish, by: Fixtures.districtActor, at: Fixtures.now.addingTimeInterval(3600), rule: "not-in-future", field: "/occurredAt")
        lists.then(publish, by: Fixtures.districtActor, at: Fixtures.now.addingTimeInterval(60), records: [publish])
        lists.expectRefusal(publish, by: Fixtures.districtActor, at: Date(timeIntervalSince1970: -62_135_596_800), rule: "plausible-time", field: "/occurredAt")
    }
}
