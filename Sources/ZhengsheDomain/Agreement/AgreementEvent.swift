/// Everything filed on one agreement's stream (`agreement-<id>`).
public enum AgreementEvent: Hashable, Sendable {
    case drafted(AgreementDrafted)
    case termsProposed(TermsProposed)
    case signed(AgreementSigned)
    case signingRefused(SigningRefused)
    case tookEffect(AgreementTookEffect)
    case amendmentProposed(AmendmentProposed)
    case amendmentSigned(AmendmentSigned)
    case amendmentTookEffect(AmendmentTookEffect)
    case amendmentWithdrawn(AmendmentWithdrawn)
    case amendmentRefused(AmendmentRefused)
    case dutyReported(DutyReported)
    case reportVerified(ReportVerified)
    case reportRejected(ReportRejected)
    case guidanceGiven(GuidanceGiven)
    case fundsTransferred(FundsTransferred)
    case receiptConfirmed(ReceiptConfirmed)
    case receiptDiscrepancyReported(ReceiptDiscrepancyReported)
    case taskRefused(TaskRefused)
    case breachClaimFiled(BreachClaimFiled)
    case breachClaimAnswered(BreachClaimAnswered)
    case breachClaimSettled(BreachClaimSettled)
    case rectificationReported(RectificationReported)
    case breachClaimWithdrawn(BreachClaimWithdrawn)
    case terminated(AgreementTerminated)
    case closed(AgreementClosed)
}

/// Drafted by the street/town government for one committee inside it, for a year.
public struct AgreementDrafted: Hashable, Sendable, Codable {
    public var government: String
    public var committee: String
    public var year: Int
    public var termStart: LocalDate
    public var termEnd: LocalDate

    public init(government: String, committee: String, year: Int, termStart: LocalDate, termEnd: LocalDate) {
        self.government = government
        self.committee = committee
        self.year = year
        self.termStart = termStart
        self.termEnd = termEnd
    }
}

/// A whole version of the terms, proposed before signing. Versions count 1, 2, 3…
public struct TermsProposed: Hashable, Sendable, Codable {
    public var termsVersion: Int
    public var terms: AgreementTerms

    public init(termsVersion: Int, terms: AgreementTerms) {
        self.termsVersion = termsVersion
        self.terms = terms
    }
}

public struct AgreementSigned: Hashable, Sendable, Codable {
    public var side: Side
    public var signatory: String
    public var title: String
    /// The terms version signed: the agreement takes effect when both sides sign the same one.
    public var termsVersion: Int

    public init(side: Side, signatory: String, title: String, termsVersion: Int) {
        self.side = side
        self.signatory = signatory
        self.title = title
        self.termsVersion = termsVersion
    }
}

/// A side refuses the proposed version, with a reason; a new version is needed.
public struct SigningRefused: Hashable, Sendable, Codable {
    public var side: Side
    public var termsVersion: Int
    public var reason: String

    public init(side: Side, termsVersion: Int, reason: String) {
        self.side = side
        self.termsVersion = termsVersion
        self.reason = reason
    }
}

/// Recorded by the service when both sides have signed the same version.
public struct AgreementTookEffect: Hashable, Sendable, Codable {
    public var termsVersion: Int
    public var effectiveOn: LocalDate
    /// Funding promised and scheduled, in fen, as in force from now.
    public var fundingTotal: Int64

    public init(termsVersion: Int, effectiveOn: LocalDate, fundingTotal: Int64) {
        self.termsVersion = termsVersion
        self.effectiveOn = effectiveOn
        self.fundingTotal = fundingTotal
    }
}

/// A supplementary agreement (补充协议): a new whole version of the terms, with its reason.
public struct AmendmentProposed: Hashable, Sendable, Codable {
    public var amendmentId: String
    public var proposedBy: Side
    public var rationale: String
    public var terms: AgreementTerms

    public init(amendmentId: String, proposedBy: Side, rationale: String, terms: AgreementTerms) {
        self.amendmentId = amendmentId
        self.proposedBy = proposedBy
        self.rationale = rationale
        self.terms = terms
    }
}

public struct AmendmentSigned: Hashable, Sendable, Codable {
    public var amendmentId: String
    public var side: Side
    public var signatory: String
    public var title: String

    public init(amendmentId: String, side: Side, signatory: String, title: String) {
        self.amendmentId = amendmentId
        self.side = side
        self.signatory = signatory
        self.title = title
    }
}

public struct AmendmentTookEffect: Hashable, Sendable, Codable {
    public var amendmentId: String
    public var termsVersion: Int
    public var fundingTotal: Int64

    public init(amendmentId: String, termsVersion: Int, fundingTotal: Int64) {
        self.amendmentId = amendmentId
        self.termsVersion = termsVersion
        self.fundingTotal = fundingTotal
    }
}

public struct AmendmentWithdrawn: Hashable, Sendable, Codable {
    public var amendmentId: String
    public var reason: String

    public init(amendmentId: String, reason: String) {
        self.amendmentId = amendmentId
        self.reason = reason
    }
}

public struct AmendmentRefused: Hashable, Sendable, Codable {
    public var amendmentId: String
    public var reason: String

    public init(amendmentId: String, reason: String) {
        self.amendmentId = amendmentId
        self.reason = reason
    }
}

/// The committee reports on an item for a period (履职报告).
public struct DutyReported: Hashable, Sendable, Codable {
    public var reportId: String
    public var itemId: String
    /// `2026-03` for a month, `2026-Q1` for a quarter, `2026-H1`, `2026` for the year.
    public var period: String
    public var indicatorValues: [String: Double]
    public var evidence: [String]?
    /// Filled by the service: the report's due date from the item's schedule, when it has one.
    public var dueDate: LocalDate?

    public init(reportId: String, itemId: String, period: String, indicatorValues: [String: Double], evidence: [String]? = nil, dueDate: LocalDate? = nil) {
        self.reportId = reportId
        self.itemId = itemId
        self.period = period
        self.indicatorValues = indicatorValues
        self.evidence = evidence
        self.dueDate = dueDate
    }
}

public struct ReportVerified: Hashable, Sendable, Codable {
    public var reportId: String
    public var note: String?

    public init(reportId: String, note: String? = nil) {
        self.reportId = reportId
        self.note = note
    }
}

public struct ReportRejected: Hashable, Sendable, Codable {
    public var reportId: String
    public var reason: String

    public init(reportId: String, reason: String) {
        self.reportId = reportId
        self.reason = reason
    }
}

public struct GuidanceGiven: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case visit, training, document }
    public var guidanceId: String
    public var kind: Kind
    public var itemId: String?
    public var summary: String

    public init(guidanceId: String, kind: Kind, itemId: String? = nil, summary: String) {
        self.guidanceId = guidanceId
        self.kind = kind
        self.itemId = itemId
        self.summary = summary
    }
}

/// Money sent by the government for an installment (拨付).
public struct FundsTransferred: Hashable, Sendable, Codable {
    public var transferId: String
    public var installmentId: String
    /// Amount in fen.
    public var amount: Int64
    public var valueDate: LocalDate
    public var voucher: String
    /// Filled by the service: the installment's due date, so lateness needs no lookup.
    public var dueDate: LocalDate?

    public init(transferId: String, installmentId: String, amount: Int64, valueDate: LocalDate, voucher: String, dueDate: LocalDate? = nil) {
        self.transferId = transferId
        self.installmentId = installmentId
        self.amount = amount
        self.valueDate = valueDate
        self.voucher = voucher
        self.dueDate = dueDate
    }
}

public struct ReceiptConfirmed: Hashable, Sendable, Codable {
    public var transferId: String

    public init(transferId: String) {
        self.transferId = transferId
    }
}

public struct ReceiptDiscrepancyReported: Hashable, Sendable, Codable {
    public var transferId: String
    /// What arrived, in fen.
    public var receivedAmount: Int64
    public var reason: String

    public init(transferId: String, receivedAmount: Int64, reason: String) {
        self.transferId = transferId
        self.receivedAmount = receivedAmount
        self.reason = reason
    }
}

/// The committee refuses a task that is not in the agreement (拒绝未准入事项).
public struct TaskRefused: Hashable, Sendable, Codable {
    public var refusalId: String
    public var requestingDepartment: String
    public var task: String
    public var requestedOn: LocalDate
    /// The admission the department cites, if any.
    public var admissionId: String?
    /// Filled by the service from the district's lists: whether that admission was in force.
    public var admitted: Bool?

    public init(refusalId: String, requestingDepartment: String, task: String, requestedOn: LocalDate, admissionId: String? = nil, admitted: Bool? = nil) {
        self.refusalId = refusalId
        self.requestingDepartment = requestingDepartment
        self.task = task
        self.requestedOn = requestedOn
        self.admissionId = admissionId
        self.admitted = admitted
    }
}

public struct BreachClaimFiled: Hashable, Sendable, Codable {
    public var claimId: String
    public var claimant: Side
    public var clauseId: String
    public var description: String
    /// Filled by the service: the cited clause's cap, in fen.
    public var deductionCap: Int64?

    public init(claimId: String, claimant: Side, clauseId: String, description: String, deductionCap: Int64? = nil) {
        self.claimId = claimId
        self.claimant = claimant
        self.clauseId = clauseId
        self.description = description
        self.deductionCap = deductionCap
    }
}

public struct BreachClaimAnswered: Hashable, Sendable, Codable {
    public var claimId: String
    public var response: String

    public init(claimId: String, response: String) {
        self.claimId = claimId
        self.response = response
    }
}

public struct BreachClaimSettled: Hashable, Sendable, Codable {
    public enum Outcome: String, Hashable, Sendable, Codable { case upheld, partlyUpheld, dismissed }
    public var claimId: String
    public var outcome: Outcome
    /// Deduction imposed on the breaching side, in fen; at most the clause's cap.
    public var deduction: Int64?
    public var rectificationDeadline: LocalDate?
    public var reasoning: String

    public init(claimId: String, outcome: Outcome, deduction: Int64? = nil, rectificationDeadline: LocalDate? = nil, reasoning: String) {
        self.claimId = claimId
        self.outcome = outcome
        self.deduction = deduction
        self.rectificationDeadline = rectificationDeadline
        self.reasoning = reasoning
    }
}

public struct RectificationReported: Hashable, Sendable, Codable {
    public var claimId: String
    public var summary: String

    public init(claimId: String, summary: String) {
        self.claimId = claimId
        self.summary = summary
    }
}

public struct BreachClaimWithdrawn: Hashable, Sendable, Codable {
    public var claimId: String
    public var reason: String?

    public init(claimId: String, reason: String? = nil) {
        self.claimId = claimId
        self.reason = reason
    }
}

public struct AgreementTerminated: Hashable, Sendable, Codable {
    public enum By: String, Hashable, Sendable, Codable { case bothSides, district }
    public var by: By
    public var reason: String

    public init(by: By, reason: String) {
        self.by = by
        self.reason = reason
    }
}

public struct AgreementClosed: Hashable, Sendable, Codable {
    public var note: String?

    public init(note: String? = nil) {
        self.note = note
    }
}
