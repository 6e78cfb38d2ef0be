/// Performance and money (履约与经费): duty reports and their verification, guidance, transfers and
/// receipts, refused tasks, and the year's end.
extension AgreementDecider {
    func report(_ e: DutyReported, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.committee, context, state, "duty reports (履职报告) are filed by the committee")
        let terms = try inEffect(state)
        try requireNew(e.reportId, state.reports[e.reportId] != nil, "/data/reportId")
        guard let item = terms.item(e.itemId) else {
            throw DomainError(.notFound, rule: "agreed-item", field: "/data/itemId", "item \(e.itemId) is not in the agreement (协议中无此事项)")
        }
        guard let period = ReportingPeriod(e.period) else {
            throw DomainError(rule: "period", field: "/data/period", "period is 2026-03 (month), 2026-Q1, 2026-H1 or 2026 (year), not '\(e.period)'")
        }
        if let start = state.termStart, let end = state.termEnd, period.end < start || period.start > end {
            throw DomainError(rule: "inside-term", field: "/data/period", "period \(e.period) lies outside the agreement's term \(start)–\(end)")
        }
        guard !state.hasStandingReport(itemId: e.itemId, period: e.period) else {
            throw DomainError(rule: "one-report-per-period", field: "/data/period",
                              "item \(e.itemId) already has a report for \(e.period) that was not rejected")
        }
        let names = Set(item.indicators.map(\.name))
        for key in e.indicatorValues.keys.sorted() where !names.contains(key) {
            throw DomainError(rule: "agreed-indicator", field: "/data/indicatorValues/\(key)", "\(key) is not an indicator of item \(item.itemId)")
        }
        var filed = e
        filed.dueDate = item.dueDates?.first { $0 >= period.end } ?? period.end
        return [.dutyReported(filed)]
    }

    func transfer(_ e: FundsTransferred, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.government, context, state, "funds are transferred by the government (经费由街道/镇拨付)")
        let terms = try inEffect(state)
        try requireNew(e.transferId, state.transfers[e.transferId] != nil, "/data/transferId")
        guard let installment = terms.installment(e.installmentId) else {
            throw DomainError(.notFound, rule: "scheduled-installment", field: "/data/installmentId", "installment \(e.installmentId) is not in the schedule (拨付计划中无此批次)")
        }
        guard e.amount > 0 else {
            throw DomainError(rule: "amount-positive", field: "/data/amount", "a transfer is a positive amount in fen")
        }
        guard state.transferredTotal + e.amount <= terms.scheduledTotal else {
            throw DomainError(rule: "within-schedule", field: "/data/amount",
                              "this would transfer \(state.transferredTotal + e.amount) fen in all, beyond the \(terms.scheduledTotal) fen scheduled; an amendment (补充协议) must raise it first")
        }
        try requireText(e.voucher, "/data/voucher")
        var filed = e
        filed.dueDate = installment.dueDate
        return [.fundsTransferred(filed)]
    }
}

extension AgreementDecider {
    func verify(_ e: ReportVerified, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.government, context, state, "only the government verifies duty reports (履职报告由街道/镇核验)")
        try requireSubmitted(e.reportId, state)
        return [.reportVerified(e)]
    }

    func reject(_ e: ReportRejected, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.government, context, state, "only the government rejects duty reports (履职报告由街道/镇核验)")
        try requireSubmitted(e.reportId, state)
        try requireText(e.reason, "/data/reason")
        return [.reportRejected(e)]
    }

    func giveGuidance(_ e: GuidanceGiven, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.government, context, state, "guidance (指导) is given by the government")
        let terms = try inEffect(state)
        try requireNew(e.guidanceId, state.guidance.contains(e.guidanceId), "/data/guidanceId")
        if let item = e.itemId, terms.item(item) == nil {
            throw DomainError(.notFound, rule: "agreed-item", field: "/data/itemId", "item \(item) is not in the agreement (协议中无此事项)")
        }
        try requireText(e.summary, "/data/summary")
        return [.guidanceGiven(e)]
    }

    func confirmReceipt(_ e: ReceiptConfirmed, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.committee, context, state, "only the committee confirms what it received (经费到账由居(村)委会确认)")
        try requireSentTransfer(e.transferId, state)
        return [.receiptConfirmed(e)]
    }

    func reportDiscrepancy(_ e: ReceiptDiscrepancyReported, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.committee, context, state, "only the committee reports what it received (经费到账由居(村)委会确认)")
        try requireSentTransfer(e.transferId, state)
        guard e.receivedAmount >= 0 else {
            throw DomainError(rule: "amount-not-negative", field: "/data/receivedAmount", "receivedAmount is in fen and cannot be negative")
        }
        try requireText(e.reason, "/data/reason")
        return [.receiptDiscrepancyReported(e)]
    }

    func refuseTask(_ e: TaskRefused, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.committee, context, state, "only the committee refuses tasks pushed to it (拒绝摊派事项)")
        _ = try inEffect(state)
        try requireNew(e.refusalId, state.refusals.contains(e.refusalId), "/data/refusalId")
        try requireText(e.requestingDepartment, "/data/requestingDepartment")
        try requireText(e.task, "/data/task")
        var filed = e
        filed.admitted = e.admissionId.flatMap { context.catalogue.admissions[$0] }?.isInForce(on: e.requestedOn) ?? false
        return [.taskRefused(filed)]
    }

    func terminate(_ e: AgreementTerminated, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        switch e.by {
        case .district: try requireDistrict(context, state)
        case .bothSides:
            guard let side = Side(role: context.actor.role) else {
                throw forbidden("termination by both sides is filed by one of them (双方协商终止)")
            }
            try requireSide(side, context, state, "termination by both sides is filed by one of them (双方协商终止)")
        }
        try requireText(e.reason, "/data/reason")
        return [.terminated(e)]
    }

    func close(_ e: AgreementClosed, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        guard state.status == .inEffect else {
            throw DomainError(rule: "in-effect", field: "/type", "only an agreement in effect can be closed at year end (协议未生效)")
        }
        if context.actor.role == .district { try requireDistrict(context, state) } else {
            try requireSide(.government, context, state, "the government or the district closes the agreement at year end")
        }
        if let end = state.termEnd, context.date < end {
            throw DomainError(rule: "closed-at-term-end", field: "/occurredAt",
                              "the agreement runs until \(end); close it then, or terminate it (协议期满方可结束)")
        }
        return [.closed(e)]
    }
}
