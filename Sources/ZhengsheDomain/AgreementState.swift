/// An agreement as its events left it.
public struct AgreementState: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        /// No events yet.
        case none
        /// Drafted; terms are being proposed and signed.
        case drafted
        /// Both sides signed the same terms version (生效).
        case inEffect
        case terminated
        case closed
    }

    public struct Amendment: Hashable, Sendable {
        public enum Status: String, Hashable, Sendable { case open, effective, withdrawn, refused }
        public var proposedBy: Side
        public var terms: AgreementTerms
        public var signedBy: Set<Side> = []
        public var status: Status = .open
    }

    public struct Report: Hashable, Sendable {
        public enum Status: String, Hashable, Sendable { case submitted, verified, rejected }
        public var itemId: String
        public var period: String
        public var status: Status
    }

    public struct Transfer: Hashable, Sendable {
        public enum Status: String, Hashable, Sendable { case sent, confirmed, discrepancy }
        public var installmentId: String
        public var amount: Int64
        public var status: Status
    }

    public struct Claim: Hashable, Sendable {
        public enum Status: String, Hashable, Sendable { case filed, answered, settled, rectified, withdrawn }
        public var claimant: Side
        public var clauseId: String
        public var status: Status
        public var outcome: BreachClaimSettled.Outcome?
        public var rectificationDeadline: LocalDate?
    }

    public var status: Status = .none
    public var government: PartyCode?
    public var committee: PartyCode?
    public var year = 0
    public var termStart: LocalDate?
    public var termEnd: LocalDate?

    /// Proposed versions before the agreement took effect, and versions added by amendments.
    public var termsVersions: [Int: AgreementTerms] = [:]
    public var latestTermsVersion = 0
    public var refusedVersions: Set<Int> = []
    /// The version each side signed, before the agreement took effect.
    public var signatures: [Side: Int] = [:]
    /// The terms in force.
    public var effectiveTermsVersion: Int?
    public var effectiveTerms: AgreementTerms? { effectiveTermsVersion.flatMap { termsVersions[$0] } }

    public var amendments: [String: Amendment] = [:]
    public var reports: [String: Report] = [:]
    public var transfers: [String: Transfer] = [:]
    public var guidance: Set<String> = []
    public var refusals: Set<String> = []
    public var claims: [String: Claim] = [:]

    public init() {}

    /// Money sent so far, in fen (discrepancies included: they are disputes about receipt).
    public var transferredTotal: Int64 { transfers.values.reduce(0) { $0 + $1.amount } }

    /// Whether a report on `itemId` for `period` stands (submitted or verified).
    public func hasStandingReport(itemId: String, period: String) -> Bool {
        reports.values.contains { $0.itemId == itemId && $0.period == period && $0.status != .rejected }
    }
}

extension AgreementDecider {
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
            s.claims[e.claimId] = .init(claimant: e.claimant, clauseId: e.clauseId, status: .filed)
        case .breachClaimAnswered(let e):
            s.claims[e.claimId]?.status = .answered
        case .breachClaimSettled(let e):
            s.claims[e.claimId]?.status = .settled
            s.claims[e.claimId]?.outcome = e.outcome
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
