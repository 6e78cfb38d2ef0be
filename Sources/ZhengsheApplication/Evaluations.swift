public import Foundation
public import ZhengsheDomain
import ZhengsheStore

/// A district's evaluation of a year (双向评估): filed by its bureau, its governments and
/// committees (each scoring the other) and its third party; read whole by the bureau, its
/// evaluators and admin.
public struct Evaluations: Sendable {
    let store: PostgresEventStore
    let cache: StateCache<EvaluationState>
    let clock: @Sendable () -> Date

    public struct Snapshot: Sendable {
        public var id: EvaluationID
        public var state: EvaluationState
        public var version: Int64
    }

    func handler(_ id: EvaluationID) throws -> StreamHandler<EvaluationDecider> {
        StreamHandler(store: store, stream: try StreamID(id.stream), decider: EvaluationDecider(id), cache: cache)
    }

    static func id(_ district: String, _ year: Int) -> EvaluationID? {
        PartyCode(district).flatMap { EvaluationID(district: $0, year: year) }
    }

    /// Files on the evaluation of `district` and `year`: every party of the district may, each
    /// within the rules; anyone else is told it does not exist.
    public func file(_ filing: Filing, district: String, year: Int, by actor: Actor) async throws -> FilingOutcome {
        guard let id = Self.id(district, year), Access.canFile(id, actor) else {
            throw ApplicationError.notFound("evaluation \(district)/\(year)", field: "/district")
        }
        let store = store
        return try await ApplicationError.mapping {
            try await handler(id).file(filing, by: actor, now: clock()) { needed in
                guard needed else { return EvaluationLookups(globalPosition: 0, transactionHorizon: 0) }
                let horizon = try await store.horizon()
                return EvaluationLookups(globalPosition: horizon.globalPosition, transactionHorizon: horizon.transactionHorizon)
            }
        }
    }

    /// The evaluation as it stands, every side's scores included.
    public func snapshot(district: String, year: Int, for actor: Actor) async throws -> Snapshot {
        let id = try visible(district, year, actor)
        let (state, version) = try await ApplicationError.mapping { try await handler(id).load() }
        return Snapshot(id: id, state: state, version: version)
    }

    public func history(district: String, year: Int, for actor: Actor, from version: Int64, limit: Int) async throws -> HistoryPage {
        let id = try visible(district, year, actor)
        return try await HistoryPage.read(try StreamID(id.stream), store: store, from: version, limit: limit)
    }

    /// When the finalization of `version` was recorded.
    func finalizedAt(_ id: EvaluationID, version: Int) async throws -> Date? {
        let stream = try StreamID(id.stream)
        var from: Int64 = 1
        var found: Date?
        while true {
            let events = try await ApplicationError.mapping { try await store.readStream(stream, from: from, limit: 1000) }
            for event in events where event.type == "EvaluationFinalized" {
                if case .finalized(let e)? = try? EvaluationEvent.decode(typeName: event.type, data: Data(event.data.utf8)), e.evaluationVersion == version {
                    found = event.recordedAt
                }
            }
            guard let last = events.last, events.count == 1000 else { return found }
            from = last.streamVersion + 1
        }
    }

    func visible(_ district: String, _ year: Int, _ actor: Actor) throws(ApplicationError) -> EvaluationID {
        guard let id = Self.id(district, year), Access.canSee(id, actor) else {
            throw .notFound("evaluation \(district)/\(year)", field: "/district")
        }
        return id
    }
}
