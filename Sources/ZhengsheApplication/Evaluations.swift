public import Foundation
public import ZhengsheDomain
import ZhengsheStore

/// A district's evaluation of a year (双向评估): filed by its bureau, its governments and
/// committees (each scoring the other) and its third party; read whole by the bureau, its
/// evaluators and admin.
public struct Evaluations: Sendable {
    let store: PostgresEventStore
    let cache: StateCache<EvaluationState>
    /// Filings on one stream within this process, one after another.
    let queue: StreamQueue
    let clock: @Sendable () -> Date

    public struct Snapshot: Sendable {
        public var id: EvaluationID
        public var state: EvaluationState
        public var version: Int64
    }

    func handler(_ id: EvaluationID) throws -> StreamHandler<EvaluationDecider> {
        StreamHandler(store: store, stream: try StreamID(id.stream), decider: EvaluationDecider(id), cache: cache, queue: queue)
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

    /// Files the third party's survey results of several committees at once (a filled-in survey
    /// sheet): all recorded, or none when any is refused.
    public func fileSurveys(
        _ results: [SurveyResultsSubmitted], occurredAt: Date, idempotencyKey: String?, requestID: String, district: String, year: Int, by actor: Actor
    ) async throws -> FilingOutcome {
        guard let id = Self.id(district, year), Access.canFile(id, actor) else {
            throw ApplicationError.notFound("evaluation \(district)/\(year)", field: "/district")
        }
        let filings = try results.map { result in
            Filing(type: EvaluationEvent.surveyResultsSubmitted(result).typeName, occurredAt: occurredAt,
                   data: try EvaluationEvent.surveyResultsSubmitted(result).encodedData(), requestID: requestID)
        }
        return try await ApplicationError.mapping {
            try await handler(id).fileTogether(filings, idempotencyKey: idempotencyKey, by: actor, now: clock()) { _ in
                EvaluationLookups(globalPosition: 0, transactionHorizon: 0)
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

    /// The evaluation as it stood when a version was finalized, or as it stands now: its state,
    /// the event behind each submission that counts, and when the version was finalized.
    public struct Record: Sendable {
        public var id: EvaluationID
        public var state: EvaluationState
        /// The time the version read was finalized; nil for an open evaluation.
        public var finalizedAt: Date?
        /// The finalization's place in the global log: the read side must have applied it (and so
        /// everything recorded before it) before the version's figures are read.
        public var finalizedPosition: Int64?
        /// The latest event of each kind for each committee: its assessment by the government,
        /// its government's assessment by it, its residents' survey.
        public var submissions: [Submission: Reference] = [:]

        public struct Submission: Hashable, Sendable {
            public enum Kind: String, Hashable, Sendable { case committeeAssessed, governmentAssessed, surveyResultsSubmitted }
            public var committee: String
            public var kind: Kind
        }

        public struct Reference: Hashable, Sendable {
            public var stream: String
            public var streamVersion: Int64
            public var eventId: UUID
            public var type: String
            public var occurredAt: Date
            public var recordedAt: Date
        }
    }

    /// Replays the evaluation's stream: to the finalization of `version` when one is given (it
    /// must have been finalized), else to its end.
    public func record(district: String, year: Int, version: Int?, for actor: Actor) async throws -> Record {
        let id = try visible(district, year, actor)
        let stream = try StreamID(id.stream)
        let decider = EvaluationDecider(id)
        var record = Record(id: id, state: EvaluationState())
        var from: Int64 = 1
        reading: while true {
            let events = try await ApplicationError.mapping { try await store.readStream(stream, from: from, limit: 1000) }
            for event in events {
                let decoded = try EvaluationEvent.decode(typeName: event.type, data: Data(event.data.utf8))
                record.state = decider.evolve(record.state, decoded)
                let reference = Record.Reference(stream: event.streamID, streamVersion: event.streamVersion, eventId: event.id, type: event.type,
                                                 occurredAt: event.occurredAt, recordedAt: event.recordedAt)
                switch decoded {
                case .committeeAssessed(let e): record.submissions[.init(committee: e.committee, kind: .committeeAssessed)] = reference
                case .governmentAssessed(let e): record.submissions[.init(committee: e.committee, kind: .governmentAssessed)] = reference
                case .surveyResultsSubmitted(let e): record.submissions[.init(committee: e.committee, kind: .surveyResultsSubmitted)] = reference
                case .finalized(let e):
                    if version == nil || e.evaluationVersion == version {
                        record.finalizedAt = event.recordedAt
                        record.finalizedPosition = event.position.globalPosition
                        if version != nil { break reading }
                    }
                case .reopened:
                    record.finalizedAt = nil
                    record.finalizedPosition = nil
                case .opened: break
                }
            }
            guard let last = events.last, events.count == 1000 else { break }
            from = last.streamVersion + 1
        }
        if let version, record.finalizedAt == nil {
            throw ApplicationError.badRequest(field: "/version", rule: "evaluation-version",
                                              message: "version \(version) of the \(year) evaluation of \(district) has not been finalized (该版本尚未定稿)")
        }
        return record
    }

    func visible(_ district: String, _ year: Int, _ actor: Actor) throws(ApplicationError) -> EvaluationID {
        guard let id = Self.id(district, year), Access.canSee(id, actor) else {
            throw .notFound("evaluation \(district)/\(year)", field: "/district")
        }
        return id
    }
}
