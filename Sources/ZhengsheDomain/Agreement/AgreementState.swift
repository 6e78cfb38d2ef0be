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
        /// The clause's cap when the claim was filed, in fen: it governs the settlement.
        public var deductionCap: Int64
        public var status: Status
        public var outcome: BreachClaimSettled.Outcome?
        /// Ordered by the settlement, in fen.
        public var deduction: Int64?
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
