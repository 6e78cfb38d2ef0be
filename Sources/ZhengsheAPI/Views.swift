import Foundation
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain

// The application's answers in the contract's generated types.

extension Components.Schemas.FilingResponse {
    init(_ outcome: FilingOutcome) {
        self.init(
            stream: outcome.stream, streamVersion: outcome.streamVersion, globalPosition: outcome.globalPosition,
            events: outcome.events.map {
                .init(eventId: $0.eventID.uuidString.lowercased(), _type: $0.type, streamVersion: $0.streamVersion,
                      globalPosition: $0.globalPosition, recordedAt: $0.recordedAt, hash: $0.hash)
            },
            signingBlockers: outcome.signingBlockers?.map { .init(field: $0.field, rule: $0.rule, detail: $0.message) })
    }
}

extension Components.Schemas.EventPage {
    init(_ page: HistoryPage, path: String, limit: Int) throws {
        self.init(
            events: try page.events.map { event in
                .init(
                    eventId: event.eventID.uuidString.lowercased(), _type: event.type, streamVersion: event.streamVersion,
                    globalPosition: event.globalPosition, occurredAt: event.occurredAt, recordedAt: event.recordedAt,
                    data: try JSONDecoder().decode(OpenAPIObjectContainer.self, from: event.data),
                    metadata: .init(
                        actor: event.filedBy.actor, role: .init(rawValue: event.filedBy.role) ?? .system, party: event.filedBy.party,
                        requestId: event.filedBy.requestID, idempotencyKey: event.filedBy.idempotencyKey, requestHash: event.filedBy.requestHash,
                        correlationId: event.filedBy.correlationID?.uuidString.lowercased(), causationId: event.filedBy.causationID?.uuidString.lowercased()),
                    previousHash: event.previousHash, hash: event.hash)
            },
            next: page.nextVersion.map { "\(path)?from=\($0)&limit=\(limit)" })
    }
}

extension Components.Schemas.AgreementView {
    init(_ snapshot: Agreements.Snapshot) throws {
        let state = snapshot.state
        let id = snapshot.id
        // The terms in force, or the latest proposal before the agreement takes effect.
        let terms = state.effectiveTerms ?? state.termsVersions[state.latestTermsVersion]
        self.init(
            id: id.description, version: snapshot.version, status: .init(state.status),
            government: id.government.rawValue, committee: id.committee.rawValue, district: id.district.rawValue, year: id.year,
            termStart: state.termStart?.description, termEnd: state.termEnd?.description,
            latestTermsVersion: state.latestTermsVersion, effectiveTermsVersion: state.effectiveTermsVersion,
            terms: try terms.map { try Components.Schemas.AgreementTerms(converting: $0) },
            signatures: .init(government: state.signatures[.government], committee: state.signatures[.committee]),
            funding: .init(promised: terms?.fundingTotal ?? 0, scheduled: terms?.scheduledTotal ?? 0, transferred: state.transferredTotal),
            reports: try state.reports.sorted { $0.key < $1.key }.map {
                .init(reportId: $0.key, itemId: $0.value.itemId, period: $0.value.period, status: try convert($0.value.status))
            },
            transfers: try state.transfers.sorted { $0.key < $1.key }.map {
                .init(transferId: $0.key, installmentId: $0.value.installmentId, amount: $0.value.amount, status: try convert($0.value.status))
            },
            amendments: try state.amendments.sorted { $0.key < $1.key }.map {
                .init(amendmentId: $0.key, proposedBy: .init($0.value.proposedBy), status: try convert($0.value.status),
                      signedBy: $0.value.signedBy.sorted { $0.rawValue < $1.rawValue }.map(Components.Schemas.Side.init))
            },
            claims: try state.claims.sorted { $0.key < $1.key }.map {
                .init(claimId: $0.key, claimant: .init($0.value.claimant), clauseId: $0.value.clauseId, status: try convert($0.value.status),
                      outcome: try $0.value.outcome.map { try convert($0) }, deductionCap: $0.value.deductionCap,
                      deduction: $0.value.deduction, rectificationDeadline: $0.value.rectificationDeadline?.description)
            },
            refusedTasks: state.refusals.count, guidanceGiven: state.guidance.count)
    }
}

extension Components.Schemas.AgreementView.StatusPayload {
    init(_ status: AgreementState.Status) {
        switch status {
        case .none, .drafted: self = .drafted
        case .inEffect: self = .inEffect
        case .terminated: self = .terminated
        case .closed: self = .closed
        }
    }
}

extension Components.Schemas.Side {
    init(_ side: Side) { self = side == .government ? .government : .committee }
}

extension Components.Schemas.CatalogueView {
    init(_ snapshot: Catalogues.Snapshot) throws {
        let state = snapshot.state
        self.init(
            district: snapshot.id.district.rawValue, year: snapshot.id.year, version: snapshot.version,
            lawfulDuties: try state.lawfulDuties.values.sorted { $0.code < $1.code }.map { try .init(converting: $0) },
            assistanceItems: try state.assistanceItems.values.sorted { $0.code < $1.code }.map { try .init(converting: $0) },
            admissions: try state.admissions.values.sorted { $0.request.admissionId < $1.request.admissionId }.map {
                .init(request: try .init(converting: $0.request), status: try convert($0.status),
                      validFrom: $0.validFrom?.description, validUntil: $0.validUntil?.description)
            })
    }
}

extension Decodable {
    /// The contract's type for a domain value that the contract describes field for field: the
    /// value's JSON, read as this type. A domain value that does not fit its schema fails here
    /// (and in the tests), never silently.
    init(converting value: some Encodable) throws {
        self = try JSONDecoder().decode(Self.self, from: try APIJSON.encoder.encode(value))
    }
}

/// A domain enumeration's value as the contract's, which lists the same raw values; a value the
/// contract lacks is the service's fault, answered as such, never a crash.
func convert<Value: RawRepresentable<String>, Contract: RawRepresentable<String>>(_ value: Value) throws -> Contract {
    guard let converted = Contract(rawValue: value.rawValue) else { throw ContractMismatch(value: value.rawValue, type: "\(Contract.self)") }
    return converted
}

struct ContractMismatch: Error, CustomStringConvertible {
    var value: String
    var type: String
    var description: String { "'\(value)' is not a value of the contract's \(type)" }
}
