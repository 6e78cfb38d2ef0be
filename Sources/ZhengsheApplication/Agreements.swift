public import Foundation
public import ZhengsheDomain
import ZhengsheStore

/// Agreements (协议): filing on them, their current state, their history, with the access rules
/// of ``Access``: a party that may not see an agreement is told it does not exist.
public struct Agreements: Sendable {
    let store: PostgresEventStore
    let cache: StateCache<AgreementState>
    /// Filings on one stream within this process, one after another.
    let queue: StreamQueue
    let lists: Catalogues
    let clock: @Sendable () -> Date

    /// An agreement's state at a version.
    public struct Snapshot: Sendable {
        public var id: AgreementID
        public var state: AgreementState
        public var version: Int64
    }

    func handler(_ id: AgreementID) throws -> StreamHandler<AgreementDecider> {
        StreamHandler(store: store, stream: try StreamID(id.stream), decider: AgreementDecider(), cache: cache, queue: queue)
    }

    /// The agreement `text` names, if `actor` may see it.
    public func visible(_ text: String, to actor: Actor) throws(ApplicationError) -> AgreementID {
        guard let id = AgreementID(text), Access.canSee(id, actor) else { throw .notFound("agreement \(text)", field: "/id") }
        return id
    }

    /// Files on the agreement `text` names.
    public func file(_ filing: Filing, on text: String, by actor: Actor) async throws -> FilingOutcome {
        // A street's clerk who types another street's committee is told so plainly: the code in
        // the address says which street the committee belongs to, whether or not it has an agreement.
        if actor.role == .government, let id = AgreementID(text), let street = actor.party, id.government != street {
            throw ApplicationError.refused(DomainError(
                .forbidden, rule: "committee-in-street", field: "/id",
                "committee \(id.committee) belongs to \(id.government), not to \(street): a street or town files only on its own committees' agreements (该居委会不属于本街道/镇)"))
        }
        let id = try visible(text, to: actor)
        try Self.checkDraft(filing, matches: id)
        var outcome = try await ApplicationError.mapping {
            try await handler(id).file(filing, by: actor, now: clock()) { needed in
                needed ? try await lists.load(id.lists).state : CatalogueState()
            }
        }
        outcome.signingBlockers = Self.signingBlockers(of: filing)
        return outcome
    }

    /// For proposed terms (a version or an amendment), what would stop them being signed, so that
    /// the clerk learns it now rather than when the other side signs.
    static func signingBlockers(of filing: Filing) -> [DomainError]? {
        guard filing.type == "TermsProposed" || filing.type == "AmendmentProposed",
              let event = try? AgreementEvent.decodeFiling(typeName: filing.type, data: filing.data)
        else { return nil }
        switch event {
        case .termsProposed(let e): return e.terms.signingBlockers(at: "/data/terms")
        case .amendmentProposed(let e): return e.terms.signingBlockers(at: "/data/terms")
        default: return nil
        }
    }

    /// The agreement as it stands.
    public func snapshot(_ text: String, for actor: Actor) async throws -> Snapshot {
        let id = try visible(text, to: actor)
        let (state, version) = try await ApplicationError.mapping { try await handler(id).load() }
        guard state.status != .none else { throw ApplicationError.notFound("agreement \(text)", field: "/id") }
        return Snapshot(id: id, state: state, version: version)
    }

    /// A page of the agreement's history.
    public func history(_ text: String, for actor: Actor, from version: Int64, limit: Int) async throws -> HistoryPage {
        let id = try visible(text, to: actor)
        let page = try await HistoryPage.read(try StreamID(id.stream), store: store, from: version, limit: limit)
        guard !(page.events.isEmpty && version == 1) else { throw ApplicationError.notFound("agreement \(text)", field: "/id") }
        return page
    }

    /// A draft's parties and year must be the ones its id names.
    static func checkDraft(_ filing: Filing, matches id: AgreementID) throws(ApplicationError) {
        guard filing.type == "AgreementDrafted" else { return }
        let event: AgreementEvent
        do {
            event = try AgreementEvent.decodeFiling(typeName: filing.type, data: filing.data)
        } catch {
            throw .invalid(error)
        }
        guard case .drafted(let draft) = event else { return }
        guard draft.committee == id.committee.rawValue else {
            throw .badRequest(field: "/data/committee", rule: "matches-agreement-id", message: "committee must be \(id.committee), as the agreement id \(id) says (须与协议编号一致)")
        }
        guard draft.year == id.year else {
            throw .badRequest(field: "/data/year", rule: "matches-agreement-id", message: "year must be \(id.year), as the agreement id \(id) says (须与协议编号一致)")
        }
    }
}
