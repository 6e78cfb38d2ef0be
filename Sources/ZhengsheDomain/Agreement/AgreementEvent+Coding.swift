/// The agreement stream's coding table: one row per event type (type name, body, case, and the
/// fields the service fills in). A new event type is a case, a body struct and a row here.
extension AgreementEvent: StreamEvent {
    public static let coding = EventCoding<AgreementEvent>([
        .init("AgreementDrafted", AgreementDrafted.self, embed: { .drafted($0) }, extract: { if case .drafted(let e) = $0 { e } else { nil } }),
        .init("TermsProposed", TermsProposed.self, embed: { .termsProposed($0) }, extract: { if case .termsProposed(let e) = $0 { e } else { nil } }),
        .init("AgreementSigned", AgreementSigned.self, embed: { .signed($0) }, extract: { if case .signed(let e) = $0 { e } else { nil } }),
        .init("SigningRefused", SigningRefused.self, embed: { .signingRefused($0) }, extract: { if case .signingRefused(let e) = $0 { e } else { nil } }),
        .init("AgreementTookEffect", AgreementTookEffect.self, embed: { .tookEffect($0) }, extract: { if case .tookEffect(let e) = $0 { e } else { nil } }),
        .init("AmendmentProposed", AmendmentProposed.self, embed: { .amendmentProposed($0) }, extract: { if case .amendmentProposed(let e) = $0 { e } else { nil } }),
        .init("AmendmentSigned", AmendmentSigned.self, embed: { .amendmentSigned($0) }, extract: { if case .amendmentSigned(let e) = $0 { e } else { nil } }),
        .init("AmendmentTookEffect", AmendmentTookEffect.self, embed: { .amendmentTookEffect($0) }, extract: { if case .amendmentTookEffect(let e) = $0 { e } else { nil } }),
        .init("AmendmentWithdrawn", AmendmentWithdrawn.self, embed: { .amendmentWithdrawn($0) }, extract: { if case .amendmentWithdrawn(let e) = $0 { e } else { nil } }),
        .init("AmendmentRefused", AmendmentRefused.self, embed: { .amendmentRefused($0) }, extract: { if case .amendmentRefused(let e) = $0 { e } else { nil } }),
        .init("DutyReported", DutyReported.self, readOnly: ["dueDate"], embed: { .dutyReported($0) }, extract: { if case .dutyReported(let e) = $0 { e } else { nil } }),
        .init("ReportVerified", ReportVerified.self, embed: { .reportVerified($0) }, extract: { if case .reportVerified(let e) = $0 { e } else { nil } }),
        .init("ReportRejected", ReportRejected.self, embed: { .reportRejected($0) }, extract: { if case .reportRejected(let e) = $0 { e } else { nil } }),
        .init("GuidanceGiven", GuidanceGiven.self, embed: { .guidanceGiven($0) }, extract: { if case .guidanceGiven(let e) = $0 { e } else { nil } }),
        .init("FundsTransferred", FundsTransferred.self, readOnly: ["dueDate"], embed: { .fundsTransferred($0) }, extract: { if case .fundsTransferred(let e) = $0 { e } else { nil } }),
        .init("ReceiptConfirmed", ReceiptConfirmed.self, embed: { .receiptConfirmed($0) }, extract: { if case .receiptConfirmed(let e) = $0 { e } else { nil } }),
        .init("ReceiptDiscrepancyReported", ReceiptDiscrepancyReported.self, embed: { .receiptDiscrepancyReported($0) }, extract: { if case .receiptDiscrepancyReported(let e) = $0 { e } else { nil } }),
        .init("TaskRefused", TaskRefused.self, readOnly: ["admitted"], embed: { .taskRefused($0) }, extract: { if case .taskRefused(let e) = $0 { e } else { nil } }),
        .init("BreachClaimFiled", BreachClaimFiled.self, readOnly: ["deductionCap"], embed: { .breachClaimFiled($0) }, extract: { if case .breachClaimFiled(let e) = $0 { e } else { nil } }),
        .init("BreachClaimAnswered", BreachClaimAnswered.self, embed: { .breachClaimAnswered($0) }, extract: { if case .breachClaimAnswered(let e) = $0 { e } else { nil } }),
        .init("BreachClaimSettled", BreachClaimSettled.self, embed: { .breachClaimSettled($0) }, extract: { if case .breachClaimSettled(let e) = $0 { e } else { nil } }),
        .init("RectificationReported", RectificationReported.self, embed: { .rectificationReported($0) }, extract: { if case .rectificationReported(let e) = $0 { e } else { nil } }),
        .init("BreachClaimWithdrawn", BreachClaimWithdrawn.self, embed: { .breachClaimWithdrawn($0) }, extract: { if case .breachClaimWithdrawn(let e) = $0 { e } else { nil } }),
        .init("AgreementTerminated", AgreementTerminated.self, embed: { .terminated($0) }, extract: { if case .terminated(let e) = $0 { e } else { nil } }),
        .init("AgreementClosed", AgreementClosed.self, embed: { .closed($0) }, extract: { if case .closed(let e) = $0 { e } else { nil } }),
    ])
}
