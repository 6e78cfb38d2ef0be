import Foundation
import Testing
import ZhengsheDomain

@Suite struct PerformanceTests {
    let report = AgreementEvent.dutyReported(.init(reportId: "r1", itemId: "i1", period: "2026-03", indicatorValues: ["records": 96], evidence: ["ledger/2026-03.pdf"]))

    @Test func reportsOnlyOnAgreedItemsInsideTheTermWhileInEffect() throws {
        S([S.drafted]).expectRefusal(report, by: S.committeeActor, rule: "in-effect")
        let s = S(S.inEffect)
        let filed = try s.when(report, by: S.committeeActor)
        guard case .dutyReported(let recorded) = filed.first else { Issue.record("no report"); return }
        #expect(recorded.dueDate == LocalDate("2026-03-31"), "the service records the due date")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i9", period: "2026-03", indicatorValues: [:])), by: S.committeeActor, rule: "agreed-item", field: "/data/itemId")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2027-01", indicatorValues: [:])), by: S.committeeActor, rule: "inside-term")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "March", indicatorValues: [:])), by: S.committeeActor, rule: "period")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2026-03", indicatorValues: ["visits": 1])), by: S.committeeActor,
                        rule: "agreed-indicator", field: "/data/indicatorValues/visits")
        s.expectRefusal(report, by: S.governmentActor, rule: "own-events-only")
    }

    @Test func aReportIsVerifiedOrRejectedOnceByTheGovernment() throws {
        var s = S(S.inEffect)
        try s.file(report, by: S.committeeActor)
        s.expectRefusal(.reportVerified(.init(reportId: "r1")), by: S.committeeActor, rule: "own-events-only", kind: .forbidden)
        try s.file(.reportRejected(.init(reportId: "r1", reason: "缺少台账")), by: S.governmentActor)
        s.expectRefusal(.reportVerified(.init(reportId: "r1")), by: S.governmentActor, rule: "verified-once")
        s.expectRefusal(.reportVerified(.init(reportId: "r404")), by: S.governmentActor, rule: "report-exists", kind: .notFound)
        // A rejected report may be filed again for the same period; a standing one may not.
        try s.file(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2026-03", indicatorValues: ["records": 100])), by: S.committeeActor)
        s.expectRefusal(.dutyReported(.init(reportId: "r3", itemId: "i1", period: "2026-03", indicatorValues: [:])), by: S.committeeActor, rule: "one-report-per-period")
        s.expectRefusal(.dutyReported(.init(reportId: "r2", itemId: "i1", period: "2026-04", indicatorValues: [:])), by: S.committeeActor, rule: "unique-id")
    }

    @Test func transfersArePositiveAndWithinTheSchedule() throws {
        var s = S(S.inEffect)
        let transfer = { (id: String, amount: Int64) in
            AgreementEvent.fundsTransferred(.init(transferId: id, installmentId: "p1", amount: amount, valueDate: LocalDate("2026-03-30")!, voucher: "V-\(id)"))
        }
        s.expectRefusal(transfer("t0", 0), by: S.governmentActor, rule: "amount-positive", field: "/data/amount")
        s.expectRefusal(transfer("t0", 100), by: S.committeeActor, rule: "own-events-only")
        try s.file(transfer("t1", 100_000_00), by: S.governmentActor)
        guard case .fundsTransferred(let recorded) = s.history.last else { Issue.record(); return }
        #expect(recorded.dueDate == LocalDate("2026-03-31"))
        s.expectRefusal(transfer("t2", 50_000_01), by: S.governmentActor, rule: "within-schedule")
        s.expectRefusal(.fundsTransferred(.init(transferId: "t2", installmentId: "p9", amount: 1, valueDate: LocalDate("2026-03-30")!, voucher: "v")),
                        by: S.governmentActor, rule: "scheduled-installment")
        try s.file(transfer("t2", 50_000_00), by: S.governmentActor)
        #expect(s.state.transferredTotal == 150_000_00)
    }

    @Test func onlyTheCommitteeConfirmsReceiptOnce() throws {
        var s = S(S.inEffect)
        try s.file(.fundsTransferred(.init(transferId: "t1", installmentId: "p1", amount: 75_000_00, valueDate: LocalDate("2026-03-30")!, voucher: "V1")), by: S.governmentActor)
        s.expectRefusal(.receiptConfirmed(.init(transferId: "t1")), by: S.governmentActor, rule: "own-events-only", kind: .forbidden)
        try s.file(.receiptDiscrepancyReported(.init(transferId: "t1", receivedAmount: 70_000_00, reason: "少到账5000元")), by: S.committeeActor)
        s.expectRefusal(.receiptConfirmed(.init(transferId: "t1")), by: S.committeeActor, rule: "receipt-once")
    }

    @Test func aRefusedTaskRecordsWhetherItWasAdmitted() throws {
        let s = S(S.inEffect)
        let unadmitted = try s.when(.taskRefused(.init(refusalId: "x1", requestingDepartment: "文明办", task: "创建台账", requestedOn: LocalDate("2026-05-01")!)), by: S.committeeActor)
        #expect(unadmitted == [.taskRefused(.init(refusalId: "x1", requestingDepartment: "文明办", task: "创建台账", requestedOn: LocalDate("2026-05-01")!, admitted: false))])
        let admitted = try s.when(.taskRefused(.init(refusalId: "x2", requestingDepartment: "住建局", task: "房屋普查", requestedOn: LocalDate("2026-05-01")!, admissionId: "ADM-7")), by: S.committeeActor)
        guard case .taskRefused(let recorded) = admitted.first else { Issue.record(); return }
        #expect(recorded.admitted == true)
        s.expectRefusal(.taskRefused(.init(refusalId: "x3", requestingDepartment: "x", task: "y", requestedOn: LocalDate("2026-05-01")!)), by: S.governmentActor, rule: "own-events-only")
    }

    @Test func guidanceIsTheGovernmentsAndNamesAnAgreedItem() throws {
        let s = S(S.inEffect)
        #expect(try s.when(.guidanceGiven(.init(guidanceId: "g1", kind: .visit, itemId: "i1", summary: "入户指导")), by: S.governmentActor).count == 1)
        s.expectRefusal(.guidanceGiven(.init(guidanceId: "g1", kind: .visit, itemId: "i7", summary: "x")), by: S.governmentActor, rule: "agreed-item")
        s.expectRefusal(.guidanceGiven(.init(guidanceId: "g1", kind: .visit, itemId: nil, summary: "x")), by: S.committeeActor, rule: "own-events-only")
    }
}

@Suite struct BreachClaimTests {
    let claim = AgreementEvent.breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-gov-1", description: "第二批经费逾期未拨付"))

    @Test func aClaimCitesAClauseOfTheOtherSideAndRecordsItsCap() throws {
        let s = S(S.inEffect)
        guard case .breachClaimFiled(let filed) = try s.when(claim, by: S.committeeActor).first else { Issue.record(); return }
        #expect(filed.deductionCap == 5_000_00)
        s.expectRefusal(.breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-com-1", description: "x")), by: S.committeeActor, rule: "claim-against-other-side")
        s.expectRefusal(.breachClaimFiled(.init(claimId: "b1", claimant: .committee, clauseId: "c-none", description: "x")), by: S.committeeActor, rule: "agreed-clause")
        s.expectRefusal(claim, by: S.governmentActor, rule: "own-events-only")
    }

    @Test func onlyTheDistrictSettlesAndNeverBeyondTheCap() throws {
        var s = S(S.inEffect)
        try s.file(claim, by: S.committeeActor)
        try s.file(.breachClaimAnswered(.init(claimId: "b1", response: "财政流程延误")), by: S.governmentActor)
        let settle = { (deduction: Int64) in
            AgreementEvent.breachClaimSettled(.init(claimId: "b1", outcome: .partlyUpheld, deduction: deduction, rectificationDeadline: LocalDate("2026-07-15")!, reasoning: "部分成立"))
        }
        s.expectRefusal(settle(1_000_00), by: S.governmentActor, rule: "own-events-only", kind: .forbidden)
        let otherDistrict = Actor(name: "x", role: .district, party: PartyCode("320411"))
        s.expectRefusal(settle(1_000_00), by: otherDistrict, rule: "own-events-only")
        s.expectRefusal(settle(5_000_01), by: S.districtActor, rule: "deduction-within-cap", field: "/data/deduction")
        try s.file(settle(5_000_00), by: S.districtActor)
        s.expectRefusal(.rectificationReported(.init(claimId: "b1", summary: "已拨付")), by: S.committeeActor, rule: "own-events-only")
        try s.file(.rectificationReported(.init(claimId: "b1", summary: "已补拨")), by: S.governmentActor)
        #expect(s.state.claims["b1"]?.status == .rectified)
    }

    @Test func dismissedClaimsCarryNoRemedyAndClaimantsMayWithdraw() throws {
        var s = S(S.inEffect)
        try s.file(claim, by: S.committeeActor)
        s.expectRefusal(.breachClaimSettled(.init(claimId: "b1", outcome: .dismissed, deduction: 100, rectificationDeadline: nil, reasoning: "x")), by: S.districtActor, rule: "dismissed-no-remedy")
        s.expectRefusal(.breachClaimWithdrawn(.init(claimId: "b1")), by: S.governmentActor, rule: "own-events-only")
        try s.file(.breachClaimWithdrawn(.init(claimId: "b1", reason: "已协商解决")), by: S.committeeActor)
        s.expectRefusal(.breachClaimAnswered(.init(claimId: "b1", response: "x")), by: S.governmentActor, rule: "claim-status")
    }

    @Test func nothingIsFiledOnATerminatedOrClosedAgreement() throws {
        var terminated = S(S.inEffect)
        terminated.expectRefusal(.terminated(.init(by: .district, reason: "x")), by: S.governmentActor, rule: "own-events-only")
        try terminated.file(.terminated(.init(by: .district, reason: "居委会撤并")), by: S.districtActor)
        terminated.expectRefusal(PerformanceTests().report, by: S.committeeActor, rule: "agreement-open")

        var closed = S(S.inEffect)
        closed.expectRefusal(.closed(.init()), by: S.governmentActor, at: S.on("2026-11-30"), rule: "closed-at-term-end")
        try closed.file(.closed(.init(note: "年度结束")), by: S.governmentActor, at: S.on("2026-12-31"))
        closed.expectRefusal(.guidanceGiven(.init(guidanceId: "g", kind: .visit, itemId: nil, summary: "x")), by: S.governmentActor, at: S.on("2026-12-31"), rule: "agreement-open")
    }
}

@Suite struct CatalogueTests {
    let decider = CatalogueDecider(district: S.district, year: 2026)

    @Test func theDistrictKeepsTheListsAndGovernmentsRequestAdmission() throws {
        var state = CatalogueDecider.initialState
        let publish = CatalogueEvent.listItemPublished(.init(list: .assistance, code: "A01", title: "人口信息采集"))
        #expect(throws: DomainError.self) { try decider.decide(publish, by: S.governmentActor, state) }
        state = try decider.decide(publish, by: S.districtActor, state).reduce(state, decider.evolve)
        #expect(throws: DomainError.self) { try decider.decide(publish, by: S.districtActor, state) }

        let request = CatalogueEvent.admissionRequested(.init(admissionId: "ADM-1", department: "文明办", kind: .ledger, title: "创建台账"))
        #expect(throws: DomainError.self) { try decider.decide(request, by: S.districtActor, state) }
        let recorded = try decider.decide(request, by: S.governmentActor, state)
        guard case .admissionRequested(let filed) = recorded.first else { Issue.record(); return }
        #expect(filed.requestedBy == "320412001")
        state = recorded.reduce(state, decider.evolve)
        #expect(throws: DomainError.self) {
            try decider.decide(.admissionRevoked(.init(admissionId: "ADM-1", reason: "x")), by: S.districtActor, state)
        }
        state = try decider.decide(.admissionGranted(.init(admissionId: "ADM-1", validFrom: LocalDate("2026-02-01")!, validUntil: LocalDate("2026-06-30")!)), by: S.districtActor, state)
            .reduce(state, decider.evolve)
        #expect(state.admissions["ADM-1"]?.isInForce(on: LocalDate("2026-03-01")!) == true)
        #expect(state.admissions["ADM-1"]?.isInForce(on: LocalDate("2026-07-01")!) == false)
    }
}

@Suite struct CodingTests {
    @Test func everyAgreementEventRoundTripsByItsTypeName() throws {
        for event in S.inEffect {
            let data = try event.encodedData()
            #expect(try AgreementEvent.decode(typeName: event.typeName, data: data) == event)
        }
        #expect(AgreementEvent.typeNames.count == 25)
    }

    @Test func decodingErrorsNameTheField() {
        #expect(throws: EventDecodingError.invalidData(field: "/data/termsVersion", reason: "is required")) {
            try AgreementEvent.decode(typeName: "AgreementSigned", data: Data(#"{"side":"government","signatory":"王","title":"主任"}"#.utf8))
        }
        #expect(throws: EventDecodingError.unknownType("AgreementSung")) { try AgreementEvent.decode(typeName: "AgreementSung", data: Data("{}".utf8)) }
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
