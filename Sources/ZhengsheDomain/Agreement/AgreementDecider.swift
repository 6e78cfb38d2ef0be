/// The rules of one agreement (协议): given its state and a filing, the events to record or the
/// rule the filing breaks. The stages of the agreement's life each have a file of their own:
/// `+Drafting` (起草与签署), `+Amendments` (补充协议), `+Performance` (履约与经费), `+Claims` (违约申诉).
public struct AgreementDecider: Decider {
    /// An agreement's decisions read the district's lists for its year.
    public typealias Context = DecisionContext<CatalogueState>

    public init() {}

    public var initialState: AgreementState { AgreementState() }

    /// Only terms and refused tasks are checked against the district's lists: other filings spare the read.
    public func needsLookups(_ filing: AgreementEvent) -> Bool {
        switch filing {
        case .termsProposed, .amendmentProposed, .taskRefused: true
        default: false
        }
    }

    public func decide(_ filing: AgreementEvent, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let drafting = if case .drafted = filing { true } else { false }
        if !drafting { try requireOpen(state) }
        switch filing {
        case .drafted(let e): return try draft(e, context, state)
        case .termsProposed(let e): return try proposeTerms(e, context, state)
        case .signed(let e): return try sign(e, context, state)
        case .signingRefused(let e): return try refuseSigning(e, context, state)
        case .tookEffect, .amendmentTookEffect:
            throw DomainError(rule: "recorded-by-service", field: "/type",
                              "this event is recorded by the service when both sides have signed (由系统在双方签署后记录)")
        case .amendmentProposed(let e): return try proposeAmendment(e, context, state)
        case .amendmentSigned(let e): return try signAmendment(e, context, state)
        case .amendmentWithdrawn(let e): return try withdrawAmendment(e, context, state)
        case .amendmentRefused(let e): return try refuseAmendment(e, context, state)
        case .dutyReported(let e): return try report(e, context, state)
        case .reportVerified(let e): return try verify(e, context, state)
        case .reportRejected(let e): return try reject(e, context, state)
        case .guidanceGiven(let e): return try giveGuidance(e, context, state)
        case .fundsTransferred(let e): return try transfer(e, context, state)
        case .receiptConfirmed(let e): return try confirmReceipt(e, context, state)
        case .receiptDiscrepancyReported(let e): return try reportDiscrepancy(e, context, state)
        case .taskRefused(let e): return try refuseTask(e, context, state)
        case .breachClaimFiled(let e): return try fileClaim(e, context, state)
        case .breachClaimAnswered(let e): return try answerClaim(e, context, state)
        case .breachClaimSettled(let e): return try settle(e, context, state)
        case .rectificationReported(let e): return try reportRectification(e, context, state)
        case .breachClaimWithdrawn(let e): return try withdrawClaim(e, context, state)
        case .terminated(let e): return try terminate(e, context, state)
        case .closed(let e): return try close(e, context, state)
        }
    }

    public func evolve(_ state: AgreementState, _ event: AgreementEvent) -> AgreementState {
        var s = state
        switch event {
        case .drafted(let e):
            s.status = .drafted
            s.government = PartyCode(e.government)
            s.committee = PartyCode(e.committee)
            s.year = e.year
            s.termStart = e.termStart
            s.termEnd = e.termEnd
        case .termsProposed(let e):
            s.termsVersions[e.termsVersion] = e.terms
            s.latestTermsVersion = e.termsVersion
            s.signatures = [:]
        case .signed(let e):
            s.signatures[e.side] = e.termsVersion
        case .signingRefused(let e):
            s.refusedVersions.insert(e.termsVersion)
            s.signatures = [:]
        case .tookEffect(let e):
            s.status = .inEffect
            s.effectiveTermsVersion = e.termsVersion
        case .amendmentProposed(let e):
            s.amendments[e.amendmentId] = .init(proposedBy: e.proposedBy, terms: e.terms)
        case .amendmentSigned(let e):
            s.amendments[e.amendmentId]?.signedBy.insert(e.side)
        case .amendmentTookEffect(let e):
            if let terms = s.amendments[e.amendmentId]?.terms {
                s.termsVersions[e.termsVersion] = terms
                s.latestTermsVersion = e.termsVersion
                s.effectiveTermsVersion = e.termsVersion
            }
            s.amendments[e.amendmentId]?.status = .effective
        case .amendmentWithdrawn(let e):
            s.amendments[e.amendmentId]?.status = .withdrawn
        case .amendmentRefused(let e):
            s.amendments[e.amendmentId]?.status = .refused
        case .dutyReported(let e):
            s.reports[e.reportId] = .init(itemId: e.itemId, period: e.period, status: .submitted)
        case .reportVerified(let e):
            s.reports[e.reportId]?.status = .verified
        case .reportRejected(let e):
            s.reports[e.reportId]?.status = .rejected
        case .guidanceGiven(let e):
            s.guidance.insert(e.guidanceId)
        case .fundsTransferred(let e):
            s.transfers[e.transferId] = .init(installmentId: e.installmentId, amount: e.amount, status: .sent)
        case .receiptConfirmed(let e):
            s.transfers[e.transferId]?.status = .confirmed
        case .receiptDiscrepancyReported(let e):
            s.transfers[e.transferId]?.status = .discrepancy
        case .taskRefused(let e):
            s.refusals.insert(e.refusalId)
        case .breachClaimFiled(let e):
            // The cap recorded at filing governs the settlement, whatever later amendments do to the clause.
            s.claims[e.claimId] = .init(claimant: e.claimant, clauseId: e.clauseId, deductionCap: e.deductionCap ?? 0, status: .filed)
        case .breachClaimAnswered(let e):
            s.claims[e.claimId]?.status = .answered
        case .breachClaimSettled(let e):
            s.claims[e.claimId]?.status = .settled
            s.claims[e.claimId]?.outcome = e.outcome
            s.claims[e.claimId]?.deduction = e.deduction
            s.claims[e.claimId]?.rectificationDeadline = e.rectificationDeadline
        case .rectificationReported(let e):
            s.claims[e.claimId]?.status = .rectified
        case .breachClaimWithdrawn(let e):
            s.claims[e.claimId]?.status = .withdrawn
        case .terminated:
            s.status = .terminated
        case .closed:
            s.status = .closed
        }
        return s
    }
}

extension DecisionContext where Lookups == CatalogueState {
    /// The district's lists for the agreement's year.
    var catalogue: CatalogueState { lookups }
}
