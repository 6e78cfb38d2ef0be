public import Foundation

/// The rules of one agreement (协议): given its state and a filing, the events to record or the
/// rule the filing breaks. Pure: the caller supplies the filer, the clock and the district's lists.
public struct AgreementDecider: Sendable {
    /// What a decision needs besides the stream's own state.
    public struct Context: Sendable {
        public var actor: Actor
        /// Business time of the filing.
        public var occurredAt: Date
        /// The service's clock.
        public var now: Date
        /// The district's lists for the agreement's year.
        public var catalogue: CatalogueState

        public init(actor: Actor, occurredAt: Date, now: Date, catalogue: CatalogueState) {
            self.actor = actor
            self.occurredAt = occurredAt
            self.now = now
            self.catalogue = catalogue
        }

        var date: LocalDate { LocalDate(occurredAt) }
    }

    public init() {}

    public static let initialState = AgreementState()

    /// How far ahead of the service's clock a filer's clock may run.
    public static let clockSkew: TimeInterval = 300

    public func decide(_ filing: AgreementEvent, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        guard context.occurredAt <= context.now.addingTimeInterval(Self.clockSkew) else {
            throw DomainError(rule: "not-in-future", field: "/occurredAt", "occurredAt lies in the future (发生时间不能晚于当前时间)")
        }
        if case .drafted(let e) = filing { return try draft(e, context, state) }
        guard state.status != .none else {
            throw DomainError(.notFound, rule: "agreement-exists", field: "/type", "the agreement has not been drafted (协议尚未起草)")
        }
        guard state.status != .terminated && state.status != .closed else {
            throw DomainError(rule: "agreement-open", field: "/type",
                              "the agreement is \(state.status.rawValue): nothing more can be filed on it (协议已终止或已结束)")
        }
        switch filing {
        case .drafted: return []
        case .termsProposed(let e): return try proposeTerms(e, context, state)
        case .signed(let e): return try sign(e, context, state)
        case .signingRefused(let e): return try refuseSigning(e, context, state)
        case .tookEffect, .amendmentTookEffect:
            throw DomainError(rule: "recorded-by-service", field: "/type",
                              "this event is recorded by the service when both sides have signed (由系统在双方签署后记录)")
        case .amendmentProposed(let e): return try proposeAmendment(e, context, state)
        case .amendmentSigned(let e): return try signAmendment(e, context, state)
        case .amendmentWithdrawn(let e):
            let amendment = try openAmendment(e.amendmentId, state)
            try requireSide(amendment.proposedBy, context, state, "only the side that proposed an amendment may withdraw it")
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .amendmentRefused(let e):
            let amendment = try openAmendment(e.amendmentId, state)
            try requireSide(amendment.proposedBy.other, context, state, "only the other side may refuse an amendment")
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .dutyReported(let e): return try report(e, context, state)
        case .reportVerified(let e):
            try requireSide(.government, context, state, "only the government verifies duty reports (履职报告由街道/镇核验)")
            try requireSubmitted(e.reportId, state)
            return [filing]
        case .reportRejected(let e):
            try requireSide(.government, context, state, "only the government rejects duty reports (履职报告由街道/镇核验)")
            try requireSubmitted(e.reportId, state)
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .guidanceGiven(let e):
            try requireSide(.government, context, state, "guidance (指导) is given by the government")
            let terms = try inEffect(state)
            try requireNew(e.guidanceId, state.guidance.contains(e.guidanceId), "/data/guidanceId")
            if let item = e.itemId, terms.item(item) == nil {
                throw DomainError(.notFound, rule: "agreed-item", field: "/data/itemId", "item \(item) is not in the agreement (协议中无此事项)")
            }
            try requireText(e.summary, "/data/summary")
            return [filing]
        case .fundsTransferred(let e): return try transfer(e, context, state)
        case .receiptConfirmed(let e):
            try requireSide(.committee, context, state, "only the committee confirms what it received (经费到账由居(村)委会确认)")
            try requireSentTransfer(e.transferId, state)
            return [filing]
        case .receiptDiscrepancyReported(let e):
            try requireSide(.committee, context, state, "only the committee reports what it received (经费到账由居(村)委会确认)")
            try requireSentTransfer(e.transferId, state)
            guard e.receivedAmount >= 0 else {
                throw DomainError(rule: "amount-not-negative", field: "/data/receivedAmount", "receivedAmount is in fen and cannot be negative")
            }
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .taskRefused(var e):
            try requireSide(.committee, context, state, "only the committee refuses tasks pushed to it (拒绝摊派事项)")
            _ = try inEffect(state)
            try requireNew(e.refusalId, state.refusals.contains(e.refusalId), "/data/refusalId")
            try requireText(e.requestingDepartment, "/data/requestingDepartment")
            try requireText(e.task, "/data/task")
            e.admitted = e.admissionId.flatMap { context.catalogue.admissions[$0] }?.isInForce(on: e.requestedOn) ?? false
            return [.taskRefused(e)]
        case .breachClaimFiled(let e): return try fileClaim(e, context, state)
        case .breachClaimAnswered(let e):
            let claim = try claim(e.claimId, state, in: [.filed])
            try requireSide(claim.claimant.other, context, state, "a claim is answered by the side it is against (被申诉方答复)")
            try requireText(e.response, "/data/response")
            return [filing]
        case .breachClaimSettled(let e): return try settle(e, context, state)
        case .rectificationReported(let e):
            let claim = try claim(e.claimId, state, in: [.settled])
            guard claim.rectificationDeadline != nil else {
                throw DomainError(rule: "rectification-ordered", field: "/data/claimId", "the settlement ordered no rectification (裁定未要求整改)")
            }
            try requireSide(claim.claimant.other, context, state, "rectification is reported by the side found in breach (违约方报告整改)")
            try requireText(e.summary, "/data/summary")
            return [filing]
        case .breachClaimWithdrawn(let e):
            let claim = try claim(e.claimId, state, in: [.filed, .answered])
            try requireSide(claim.claimant, context, state, "only the claimant may withdraw a claim (申诉人撤回)")
            return [filing]
        case .terminated(let e):
            switch e.by {
            case .district: try requireDistrict(context, state)
            case .bothSides:
                guard [.government, .committee].contains(context.actor.role) else {
                    throw forbidden("termination by both sides is filed by one of them (双方协商终止)")
                }
                try requireSide(context.actor.role == .government ? .government : .committee, context, state, "")
            }
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .closed:
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
            return [filing]
        }
    }
}

// MARK: - Drafting, terms and signing

extension AgreementDecider {
    func draft(_ e: AgreementDrafted, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        guard state.status == .none else {
            throw DomainError(rule: "drafted-once", field: "/type", "this agreement was already drafted (协议已起草)")
        }
        guard let government = PartyCode(e.government), government.level == .government else {
            throw DomainError(rule: "government-code", field: "/data/government",
                              "government must be a 9-digit township code (街道/镇统计用区划代码), not '\(e.government)'")
        }
        guard let committee = PartyCode(e.committee), committee.level == .committee else {
            throw DomainError(rule: "committee-code", field: "/data/committee",
                              "committee must be a 12-digit village-level code (居(村)委会统计用区划代码), not '\(e.committee)'")
        }
        guard committee.government == government else {
            throw DomainError(rule: "committee-inside-government", field: "/data/committee",
                              "committee \(committee) is not inside street/town \(government) (居(村)委会不属于该街道/镇)")
        }
        guard context.actor.role == .government, context.actor.party == government else {
            throw forbidden("only street/town government \(government) drafts its agreements (由街道/镇起草)")
        }
        guard (2000...2100).contains(e.year) else {
            throw DomainError(rule: "year", field: "/data/year", "year \(e.year) is not plausible")
        }
        guard e.termStart <= e.termEnd else {
            throw DomainError(rule: "term", field: "/data/termEnd", "the term ends before it starts (协议期限)")
        }
        guard e.termStart.year == e.year else {
            throw DomainError(rule: "term-in-year", field: "/data/termStart", "the term must start in \(e.year) (协议年度)")
        }
        return [.drafted(e)]
    }

    func proposeTerms(_ e: TermsProposed, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.government, context, state, "the government proposes the terms it drafted (协议文本由街道/镇提出)")
        guard state.status == .drafted else {
            throw DomainError(rule: "amend-after-effect", field: "/type",
                              "the agreement is in effect: its terms change only through a signed amendment (补充协议)")
        }
        guard e.termsVersion == state.latestTermsVersion + 1 else {
            throw DomainError(rule: "terms-version", field: "/data/termsVersion",
                              "the next terms version is \(state.latestTermsVersion + 1), not \(e.termsVersion)")
        }
        try validate(e.terms, at: "/data/terms", context, state)
        return [.termsProposed(e)]
    }

    func sign(_ e: AgreementSigned, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(e.side, context, state, "each side signs for itself (各方自行签署)")
        guard state.status == .drafted else {
            throw DomainError(rule: "signed-once", field: "/type", "the agreement is already in effect (协议已生效)")
        }
        guard state.latestTermsVersion > 0 else {
            throw DomainError(rule: "terms-proposed", field: "/data/termsVersion", "no terms have been proposed yet (尚无协议文本)")
        }
        guard e.termsVersion == state.latestTermsVersion, !state.refusedVersions.contains(e.termsVersion) else {
            throw DomainError(rule: "sign-latest-version", field: "/data/termsVersion",
                              "only the latest, unrefused terms version (\(state.latestTermsVersion)) can be signed, not \(e.termsVersion)")
        }
        guard state.signatures[e.side] != e.termsVersion else {
            throw DomainError(rule: "signed-once", field: "/data/side", "the \(e.side.rawValue) already signed version \(e.termsVersion)")
        }
        try requireText(e.signatory, "/data/signatory")
        try requireText(e.title, "/data/title")
        let terms = state.termsVersions[e.termsVersion]!
        try requireFunded(terms, at: "/data/termsVersion")
        var events: [AgreementEvent] = [.signed(e)]
        if state.signatures[e.side.other] == e.termsVersion {
            events.append(.tookEffect(.init(termsVersion: e.termsVersion, effectiveOn: context.date, fundingTotal: terms.fundingTotal)))
        }
        return events
    }

    func refuseSigning(_ e: SigningRefused, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(e.side, context, state, "each side refuses for itself")
        guard state.status == .drafted else {
            throw DomainError(rule: "signed-once", field: "/type", "the agreement is already in effect (协议已生效)")
        }
        guard e.termsVersion == state.latestTermsVersion, !state.refusedVersions.contains(e.termsVersion) else {
            throw DomainError(rule: "sign-latest-version", field: "/data/termsVersion",
                              "only the latest terms version (\(state.latestTermsVersion)) can be refused")
        }
        try requireText(e.reason, "/data/reason")
        return [.signingRefused(e)]
    }

    func proposeAmendment(_ e: AmendmentProposed, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(e.proposedBy, context, state, "each side proposes amendments in its own name")
        _ = try inEffect(state)
        try requireNew(e.amendmentId, state.amendments[e.amendmentId] != nil, "/data/amendmentId")
        guard !state.amendments.values.contains(where: { $0.status == .open }) else {
            throw DomainError(rule: "one-open-amendment", field: "/data/amendmentId",
                              "another amendment is still open: sign, refuse or withdraw it first (另有补充协议待签)")
        }
        try requireText(e.rationale, "/data/rationale")
        try validate(e.terms, at: "/data/terms", context, state)
        return [.amendmentProposed(e)]
    }

    func signAmendment(_ e: AmendmentSigned, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let amendment = try openAmendment(e.amendmentId, state)
        try requireSide(e.side, context, state, "each side signs for itself (各方自行签署)")
        guard !amendment.signedBy.contains(e.side) else {
            throw DomainError(rule: "signed-once", field: "/data/side", "the \(e.side.rawValue) already signed amendment \(e.amendmentId)")
        }
        try requireText(e.signatory, "/data/signatory")
        try requireText(e.title, "/data/title")
        try requireFunded(amendment.terms, at: "/data/amendmentId")
        var events: [AgreementEvent] = [.amendmentSigned(e)]
        if amendment.signedBy.contains(e.side.other) {
            events.append(.amendmentTookEffect(.init(
                amendmentId: e.amendmentId, termsVersion: state.latestTermsVersion + 1, fundingTotal: amendment.terms.fundingTotal)))
        }
        return events
    }

    /// The terms' own consistency, and their items against the district's lists.
    func validate(_ terms: AgreementTerms, at base: String, _ context: Context, _ state: AgreementState) throws(DomainError) {
        guard !terms.items.isEmpty else {
            throw DomainError(rule: "items-required", field: "\(base)/items", "an agreement takes on at least one assistance item (协助事项)")
        }
        var ids = Set<String>()
        for (i, item) in terms.items.enumerated() {
            let at = "\(base)/items/\(i)"
            try requireText(item.itemId, "\(at)/itemId")
            guard ids.insert(item.itemId).inserted else {
                throw DomainError(rule: "unique-id", field: "\(at)/itemId", "item id \(item.itemId) appears twice")
            }
            try requireText(item.title, "\(at)/title")
            let onList = context.catalogue.assistanceItems[item.code] != nil
            let admitted = context.catalogue.admissions[item.code]?.isInForce(on: state.termStart ?? context.date) == true
            guard onList || admitted else {
                throw DomainError(rule: "item-on-assistance-list", field: "\(at)/code",
                                  "\(item.code) is neither on the district's assistance list (协助政府工作事项清单) for \(state.year) nor an admitted task (准入事项)")
            }
            guard item.funding >= 0 else {
                throw DomainError(rule: "amount-not-negative", field: "\(at)/funding", "funding is in fen and cannot be negative")
            }
            for (j, indicator) in item.indicators.enumerated() {
                try requireText(indicator.name, "\(at)/indicators/\(j)/name")
            }
        }
        for (i, code) in terms.lawfulDuties.enumerated() where context.catalogue.lawfulDuties[code] == nil {
            throw DomainError(rule: "duty-on-lawful-list", field: "\(base)/lawfulDuties/\(i)",
                              "\(code) is not on the district's lawful-duty list (依法履职事项清单)")
        }
        var installmentIds = Set<String>()
        for (i, installment) in terms.installments.enumerated() {
            guard installmentIds.insert(installment.installmentId).inserted else {
                throw DomainError(rule: "unique-id", field: "\(base)/installments/\(i)/installmentId", "installment id \(installment.installmentId) appears twice")
            }
            guard installment.amount > 0 else {
                throw DomainError(rule: "amount-positive", field: "\(base)/installments/\(i)/amount", "an installment (拨付批次) is a positive amount in fen")
            }
        }
        var clauseIds = Set<String>()
        for (i, clause) in terms.breachClauses.enumerated() {
            guard clauseIds.insert(clause.clauseId).inserted else {
                throw DomainError(rule: "unique-id", field: "\(base)/breachClauses/\(i)/clauseId", "clause id \(clause.clauseId) appears twice")
            }
            guard clause.deductionCap >= 0 else {
                throw DomainError(rule: "amount-not-negative", field: "\(base)/breachClauses/\(i)/deductionCap", "a cap is in fen and cannot be negative")
            }
        }
        for side in Side.allCases where !terms.breachClauses.contains(where: { $0.party == side }) {
            throw DomainError(rule: "both-sides-liable", field: "\(base)/breachClauses",
                              "the terms need a breach clause for the \(side.rawValue) (\(side.chinese)) too: liability runs both ways (双方违约责任)")
        }
    }

    /// 费随事转: every item has funding or working conditions, and the schedule pays exactly what is promised.
    func requireFunded(_ terms: AgreementTerms, at field: String) throws(DomainError) {
        let unfunded = terms.items.filter { $0.funding == 0 && ($0.workingConditions ?? "").allSatisfy(\.isWhitespace) }
        guard unfunded.isEmpty else {
            throw DomainError(rule: "funding-follows-task", field: field,
                              "费随事转: items without funding or working conditions cannot be signed: \(unfunded.map(\.itemId).joined(separator: ", "))")
        }
        guard terms.scheduledTotal == terms.fundingTotal else {
            throw DomainError(rule: "schedule-matches-funding", field: field,
                              "the installments (拨付批次) add up to \(terms.scheduledTotal) fen, the items' funding to \(terms.fundingTotal) fen")
        }
    }
}

// MARK: - Performance: reports, money, claims

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

    func fileClaim(_ e: BreachClaimFiled, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(e.claimant, context, state, "each side files claims in its own name (违约申诉)")
        let terms = try inEffect(state)
        try requireNew(e.claimId, state.claims[e.claimId] != nil, "/data/claimId")
        guard let clause = terms.clause(e.clauseId) else {
            throw DomainError(.notFound, rule: "agreed-clause", field: "/data/clauseId", "clause \(e.clauseId) is not in the agreement (协议中无此条款)")
        }
        guard clause.party == e.claimant.other else {
            throw DomainError(rule: "claim-against-other-side", field: "/data/clauseId",
                              "clause \(e.clauseId) binds the \(clause.party.rawValue); a claim cites a clause of the other side")
        }
        try requireText(e.description, "/data/description")
        var filed = e
        filed.deductionCap = clause.deductionCap
        return [.breachClaimFiled(filed)]
    }

    func settle(_ e: BreachClaimSettled, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireDistrict(context, state)
        let claim = try claim(e.claimId, state, in: [.filed, .answered])
        try requireText(e.reasoning, "/data/reasoning")
        let cap = state.effectiveTerms?.clause(claim.clauseId)?.deductionCap ?? 0
        switch e.outcome {
        case .dismissed:
            guard (e.deduction ?? 0) == 0, e.rectificationDeadline == nil else {
                throw DomainError(rule: "dismissed-no-remedy", field: "/data/outcome", "a dismissed claim carries no deduction or rectification (驳回不设处理)")
            }
        case .upheld, .partlyUpheld:
            let deduction = e.deduction ?? 0
            guard deduction >= 0 else {
                throw DomainError(rule: "amount-not-negative", field: "/data/deduction", "a deduction is in fen and cannot be negative")
            }
            guard deduction <= cap else {
                throw DomainError(rule: "deduction-within-cap", field: "/data/deduction",
                                  "a deduction of \(deduction) fen exceeds clause \(claim.clauseId)'s cap of \(cap) fen (扣减不得超过上限)")
            }
            if let deadline = e.rectificationDeadline, deadline < context.date {
                throw DomainError(rule: "deadline-ahead", field: "/data/rectificationDeadline", "the rectification deadline (整改期限) has already passed")
            }
        }
        return [.breachClaimSettled(e)]
    }
}

// MARK: - Checks

extension AgreementDecider {
    /// The filer is `side` of this agreement (its own government or committee).
    func requireSide(_ side: Side, _ context: Context, _ state: AgreementState, _ message: String) throws(DomainError) {
        let party = side == .government ? state.government : state.committee
        guard context.actor.role.rawValue == side.rawValue, let party, context.actor.party == party else {
            throw forbidden(message.isEmpty ? "only the agreement's \(side.rawValue) (\(side.chinese)) may file this" : message)
        }
    }

    func requireDistrict(_ context: Context, _ state: AgreementState) throws(DomainError) {
        guard context.actor.role == .district, let district = state.government?.district, context.actor.party == district else {
            throw forbidden("only the civil-affairs bureau (民政局) of the agreement's district settles and terminates for cause")
        }
    }

    func forbidden(_ message: String) -> DomainError {
        DomainError(.forbidden, rule: "own-events-only", field: "/type", message)
    }

    func inEffect(_ state: AgreementState) throws(DomainError) -> AgreementTerms {
        guard state.status == .inEffect, let terms = state.effectiveTerms else {
            throw DomainError(rule: "in-effect", field: "/type", "the agreement is not in effect yet: both sides must sign the same terms version (协议未生效)")
        }
        return terms
    }

    func requireNew(_ id: String, _ exists: Bool, _ field: String) throws(DomainError) {
        try requireText(id, field)
        guard !exists else { throw DomainError(rule: "unique-id", field: field, "\(id) was already used on this agreement (编号重复)") }
    }

    func openAmendment(_ id: String, _ state: AgreementState) throws(DomainError) -> AgreementState.Amendment {
        guard let amendment = state.amendments[id] else {
            throw DomainError(.notFound, rule: "amendment-exists", field: "/data/amendmentId", "no amendment \(id) (无此补充协议)")
        }
        guard amendment.status == .open else {
            throw DomainError(rule: "amendment-open", field: "/data/amendmentId", "amendment \(id) is \(amendment.status.rawValue)")
        }
        return amendment
    }

    func requireSubmitted(_ id: String, _ state: AgreementState) throws(DomainError) {
        guard let report = state.reports[id] else {
            throw DomainError(.notFound, rule: "report-exists", field: "/data/reportId", "no report \(id) (无此履职报告)")
        }
        guard report.status == .submitted else {
            throw DomainError(rule: "verified-once", field: "/data/reportId", "report \(id) was already \(report.status.rawValue) (已核验)")
        }
    }

    func requireSentTransfer(_ id: String, _ state: AgreementState) throws(DomainError) {
        guard let transfer = state.transfers[id] else {
            throw DomainError(.notFound, rule: "transfer-exists", field: "/data/transferId", "no transfer \(id) (无此拨付记录)")
        }
        guard transfer.status == .sent else {
            throw DomainError(rule: "receipt-once", field: "/data/transferId", "receipt of \(id) was already \(transfer.status.rawValue)")
        }
    }

    func claim(_ id: String, _ state: AgreementState, in statuses: Set<AgreementState.Claim.Status>) throws(DomainError) -> AgreementState.Claim {
        guard let claim = state.claims[id] else {
            throw DomainError(.notFound, rule: "claim-exists", field: "/data/claimId", "no breach claim \(id) (无此违约申诉)")
        }
        guard statuses.contains(claim.status) else {
            throw DomainError(rule: "claim-status", field: "/data/claimId", "claim \(id) is \(claim.status.rawValue)")
        }
        return claim
    }
}
