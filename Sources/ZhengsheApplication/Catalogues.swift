public import Foundation
public import ZhengsheDomain
import ZhengsheStore

/// A district's lists (两份清单) and admissions (准入) for a year.
public struct Catalogues: Sendable {
    let store: PostgresEventStore
    let cache: StateCache<CatalogueState>
    /// Filings on one stream within this process, one after another.
    let queue: StreamQueue
    let clock: @Sendable () -> Date

    public struct Snapshot: Sendable {
        public var id: CatalogueID
        public var state: CatalogueState
        public var version: Int64
    }

    func handler(_ id: CatalogueID) throws -> StreamHandler<CatalogueDecider> {
        StreamHandler(store: store, stream: try StreamID(id.stream), decider: CatalogueDecider(id), cache: cache, queue: queue)
    }

    /// The lists of `district` and `year`, if `actor` may see them.
    public func visible(district: String, year: Int, to actor: Actor) throws(ApplicationError) -> CatalogueID {
        guard let code = PartyCode(district), let id = CatalogueID(district: code, year: year), Access.canSee(id, actor) else {
            throw .notFound("lists \(district)/\(year)", field: "/district")
        }
        return id
    }

    public func file(_ filing: Filing, district: String, year: Int, by actor: Actor) async throws -> FilingOutcome {
        let id = try visible(district: district, year: year, to: actor)
        return try await ApplicationError.mapping {
            try await handler(id).file(filing, by: actor, now: clock()) { _ in () }
        }
    }

    /// The lists as they stand (empty before their first event).
    public func snapshot(district: String, year: Int, for actor: Actor) async throws -> Snapshot {
        let id = try visible(district: district, year: year, to: actor)
        let (state, version) = try await load(id)
        return Snapshot(id: id, state: state, version: version)
    }

    public func history(district: String, year: Int, for actor: Actor, from version: Int64, limit: Int) async throws -> HistoryPage {
        let id = try visible(district: district, year: year, to: actor)
        return try await HistoryPage.read(try StreamID(id.stream), store: store, from: version, limit: limit)
    }

    /// The lists, for the rules of an agreement that read them.
    func load(_ id: CatalogueID) async throws -> (state: CatalogueState, version: Int64) {
        try await ApplicationError.mapping { try await handler(id).load() }
    }
}
