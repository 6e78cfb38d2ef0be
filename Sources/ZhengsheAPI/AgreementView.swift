import Foundation
import ZhengsheDomain

/// An agreement's current terms and state, as `GET /v1/agreements/{id}` shows it.
struct AgreementView: Encodable {
    struct Funding: Encodable {
        /// Fen promised by the terms in force (or proposed).
        var promised: Int64
        var scheduled: Int64
        var transferred: Int64
    }
    struct Report: Encodable { var reportId, itemId, period, status: String }
    struct Transfer: Encodable { var transferId, installmentId: String; var amount: Int64; var status: String }
    struct Amendment: Encodable { var amendmentId, proposedBy, status: String; var signedBy: [String] }
    struct Claim: Encodable { var claimId, claimant, clauseId, status: String; var outcome: String? }

    var id: String
    var version: Int64
    var status: String
    var government: String
    var committee: String
    var district: String
    var year: Int
    var termStart: LocalDate?
    var termEnd: LocalDate?
    var latestTermsVersion: Int
    var effectiveTermsVersion: Int?
    /// The terms in force, or the latest proposal before the agreement takes effect.
    var terms: AgreementTerms?
    var signatures: [String: Int]
    var funding: Funding
    var reports: [Report]
    var transfers: [Transfer]
    var amendments: [Amendment]
    var claims: [Claim]
    var refusedTasks: Int
    var guidanceGiven: Int

    init(id: AgreementID, state: AgreementState, version: Int64) {
        self.id = id.description
        self.version = version
        status = state.status.rawValue
        government = id.government.rawValue
        committee = id.committee.rawValue
        district = id.district.rawValue
        year = id.year
        termStart = state.termStart
        termEnd = state.termEnd
        latestTermsVersion = state.latestTermsVersion
        effectiveTermsVersion = state.effectiveTermsVersion
        terms = state.effectiveTerms ?? state.termsVersions[state.latestTermsVersion]
        signatures = Dictionary(uniqueKeysWithValues: state.signatures.map { ($0.key.rawValue, $0.value) })
        funding = Funding(promised: terms?.fundingTotal ?? 0, scheduled: terms?.scheduledTotal ?? 0, transferred: state.transferredTotal)
        reports = state.reports.sorted { $0.key < $1.key }.map { Report(reportId: $0.key, itemId: $0.value.itemId, period: $0.value.period, status: $0.value.status.rawValue) }
        transfers = state.transfers.sorted { $0.key < $1.key }.map {
            Transfer(transferId: $0.key, installmentId: $0.value.installmentId, amount: $0.value.amount, status: $0.value.status.rawValue)
        }
        amendments = state.amendments.sorted { $0.key < $1.key }.map {
            Amendment(amendmentId: $0.key, proposedBy: $0.value.proposedBy.rawValue, status: $0.value.status.rawValue, signedBy: $0.value.signedBy.map(\.rawValue).sorted())
        }
        claims = state.claims.sorted { $0.key < $1.key }.map {
            Claim(claimId: $0.key, claimant: $0.value.claimant.rawValue, clauseId: $0.value.clauseId, status: $0.value.status.rawValue, outcome: $0.value.outcome?.rawValue)
        }
        refusedTasks = state.refusals.count
        guidanceGiven = state.guidance.count
    }
}
