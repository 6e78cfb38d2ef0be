/// Amendments (补充协议): after the agreement takes effect, its terms change only when both sides
/// sign a proposed amendment; one is open at a time.
extension AgreementDecider {
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

    func withdrawAmendment(_ e: AmendmentWithdrawn, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let amendment = try openAmendment(e.amendmentId, state)
        try requireSide(amendment.proposedBy, context, state, "only the side that proposed an amendment may withdraw it (提出方撤回)")
        try requireText(e.reason, "/data/reason")
        return [.amendmentWithdrawn(e)]
    }

    func refuseAmendment(_ e: AmendmentRefused, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        let amendment = try openAmendment(e.amendmentId, state)
        try requireSide(amendment.proposedBy.other, context, state, "only the other side may refuse an amendment (另一方拒签)")
        try requireText(e.reason, "/data/reason")
        return [.amendmentRefused(e)]
    }
}
