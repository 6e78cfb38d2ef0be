/// Breach claims (违约申诉): filed against the other side citing its clause, answered by that side,
/// settled by the district bureau within the clause's cap, rectified or withdrawn.
extension AgreementDecider {
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
        // The cap recorded when the claim was filed, not the clause as amendments left it.
        let cap = claim.deductionCap
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

extension AgreementDecider {
    func answerClaim(_ e: BreachClaimAnswered, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let claim = try claim(e.claimId, state, in: [.filed])
        try requireSide(claim.claimant.other, context, state, "a claim is answered by the side it is against (被申诉方答复)")
        try requireText(e.response, "/data/response")
        return [.breachClaimAnswered(e)]
    }

    func reportRectification(_ e: RectificationReported, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let claim = try claim(e.claimId, state, in: [.settled])
        guard claim.rectificationDeadline != nil else {
            throw DomainError(rule: "rectification-ordered", field: "/data/claimId", "the settlement ordered no rectification (裁定未要求整改)")
        }
        try requireSide(claim.claimant.other, context, state, "rectification is reported by the side found in breach (违约方报告整改)")
        try requireText(e.summary, "/data/summary")
        return [.rectificationReported(e)]
    }

    func withdrawClaim(_ e: BreachClaimWithdrawn, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let claim = try claim(e.claimId, state, in: [.filed, .answered])
        try requireSide(claim.claimant, context, state, "only the claimant may withdraw a claim (申诉人撤回)")
        return [.breachClaimWithdrawn(e)]
    }
}
