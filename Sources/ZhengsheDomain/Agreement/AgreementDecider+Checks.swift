/// The checks the stages share: who files, whether the agreement is in effect, ids and references.
extension AgreementDecider {
    /// The filer is `side` of this agreement (its own government or committee).
    func requireSide(_ side: Side, _ context: Context, _ state: AgreementState, _ message: String) throws(DomainError) {
        let party = side == .government ? state.government : state.committee
        guard context.actor.role.rawValue == side.rawValue, let party, context.actor.party == party else {
            throw forbidden(message)
        }
    }

    /// Drafted, and neither terminated nor closed.
    func requireOpen(_ state: AgreementState) throws(DomainError) {
        guard state.status != .none else {
            throw DomainError(.notFound, rule: "agreement-exists", field: "/type", "the agreement has not been drafted (协议尚未起草)")
        }
        guard state.status != .terminated && state.status != .closed else {
            throw DomainError(rule: "agreement-open", field: "/type",
                              "the agreement is \(state.status.rawValue): nothing more can be filed on it (协议已终止或已结束)")
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
