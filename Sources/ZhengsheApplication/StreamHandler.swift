import Crypto
public import Foundation
public import ZhengsheDomain
public import ZhengsheStore

/// Files on one stream through its decider: replays a retried idempotency key, otherwise loads the
/// stream (the cached folded state and the events after it), decides, and appends what was decided
/// at the version it was decided on; if another filing lands in between, decides again.
public struct StreamHandler<D: Decider>: Sendable {
    public let store: any EventStore
    public let stream: StreamID
    public let decider: D
    /// Folded states kept between requests; nil folds from the first event each time.
    public let cache: StateCache<D.State>?
    /// Filings on the stream within this process, one after another; nil lets them race (and
    /// decide again when they lose).
    public let queue: StreamQueue?

    /// Decisions retried when other filings keep landing in between, before giving up.
    static var attempts: Int { 8 }

    public init(store: any EventStore, stream: StreamID, decider: D, cache: StateCache<D.State>?, queue: StreamQueue? = nil) {
        self.store = store
        self.stream = stream
        self.decider = decider
        self.cache = cache
        self.queue = queue
    }

    /// Runs `body` in the stream's turn, when there is a queue.
    func inTurn<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let queue else { return try await body() }
        return try await queue.run(stream.rawValue, body)
    }

    /// The stream's current state and version.
    public func load() async throws -> (state: D.State, version: Int64) {
        var (version, state) = cache?.get(stream.rawValue) ?? (0, decider.initialState)
        let recorded = try await store.readStream(stream, from: version + 1, limit: Int.max)
        for event in recorded {
            do {
                state = decider.evolve(state, try D.Event.decode(typeName: event.type, data: Data(event.data.utf8)))
            } catch {
                throw StoredEventUnreadable(stream: stream.rawValue, version: event.streamVersion, reason: "\(error)")
            }
            version = event.streamVersion
        }
        if !recorded.isEmpty { cache?.put(stream.rawValue, version: version, state: state) }
        return (state, version)
    }

    /// The state to decide on: the cached one without asking the store when there is one
    /// (`fresh` false: another process may have filed since), otherwise ``load()``'s.
    func state(fresh mustRead: Bool) async throws -> (state: D.State, version: Int64, fresh: Bool) {
        if !mustRead, let (version, state) = cache?.get(stream.rawValue) { return (state, version, false) }
        let (state, version) = try await load()
        return (state, version, true)
    }

    /// Files `filing` for `actor`.
    /// - Parameters:
    ///   - lookups: what the decision reads outside the stream, given whether the filing's rules read
    ///     it at all (``Decider/needsLookups(_:)``): when not, an empty value spares the read.
    ///   - now: the service's clock.
    /// - Throws: ``ApplicationError`` for anything the filer can act on.
    public func file(
        _ filing: Filing, by actor: Actor, now: Date, lookups: @escaping @Sendable (_ needed: Bool) async throws -> D.Lookups
    ) async throws -> FilingOutcome {
        // Bounded as a whole: the replay's read and the lookups wait on the database too.
        try await bounded { try await fileUnbounded(filing, by: actor, now: now, lookups: lookups) }
    }

    private func fileUnbounded(
        _ filing: Filing, by actor: Actor, now: Date, lookups: @Sendable (_ needed: Bool) async throws -> D.Lookups
    ) async throws -> FilingOutcome {
        let requestHash = RequestHash(filing)
        do {
            let event: D.Event
            switch Result(catching: { () throws(EventDecodingError) in try D.Event.decodeFiling(typeName: filing.type, data: filing.data) }) {
            case .success(let decoded): event = decoded
            case .failure(let error): throw ApplicationError.invalid(error)
            }
            let looked = try await lookups(decider.needsLookups(event))
            return try await inTurn { try await decideAndAppend(filing, event, looked, by: actor, now: now, requestHash: requestHash) }
        } catch {
            // A retry answers the first answer, whatever the rules, the decoders and the registers
            // say today. Looked up only when the filing fails: the append itself recognises a retry.
            if let key = filing.idempotencyKey, let replay = try await replayAfterFailure(key: key, actor: actor, requestHash: requestHash, count: 4) {
                return replay
            }
            throw error
        }
    }

    /// How long a filing waits for the database, its turn included, before it is answered
    /// without it.
    static var answerLimit: Duration { .seconds(30) }

    /// `body`'s answer, or ``ApplicationError/noAnswer(seconds:)`` after ``answerLimit``: a filing
    /// whose connection went from under it (a database restart) must still get an answer, and the
    /// server must still be able to stop. What is stuck is left behind, cancelled; should it ever
    /// append, a retry with the same idempotency key answers that.
    func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await answerWithin(Self.answerLimit, body)
        } catch is DeadlineExceeded {
            throw ApplicationError.noAnswer(seconds: Int(Self.answerLimit.components.seconds))
        }
    }

    /// Decides `event` on the stream's state and appends what was decided at the version it was
    /// decided on, again when another filing landed in between.
    ///
    /// The first try decides on the cached state without reading the stream: in one serving
    /// process, which files each stream in turn, the cache is current. When it is not (another
    /// process filed), the append finds the stream at another version and the filing is decided
    /// again on what the store holds; a refusal or a pinned version's mismatch is only answered
    /// after the stream was read.
    private func decideAndAppend(_ filing: Filing, _ event: D.Event, _ looked: D.Lookups, by actor: Actor, now: Date, requestHash: RequestHash) async throws
        -> FilingOutcome
    {
        var mustRead = false
        for _ in 0..<Self.attempts {
            let (state, version, fresh) = try await state(fresh: mustRead)
            mustRead = true
            if let pin = filing.pin, pin.version != version {
                guard fresh else { continue }
                throw ApplicationError.versionConflict(stream: stream.rawValue, expected: pin.version, actual: version, pinnedBy: pin.source)
            }
            let context = DecisionContext(actor: actor, occurredAt: filing.occurredAt, now: now, lookups: looked)
            let decided: [D.Event]
            switch Result(catching: { () throws(DomainError) in try decider.file(event, context, state) }) {
            case .success(let events): decided = events
            case .failure(let error):
                guard fresh else { continue }
                throw ApplicationError.refused(error)
            }
            let metadata = EventMetadata(
                actor: actor.name, role: actor.role.rawValue, party: actor.party?.rawValue ?? "",
                requestId: filing.requestID, idempotencyKey: filing.idempotencyKey, requestHash: requestHash.recorded
            )
            var events: [NewEvent] = []
            for (index, event) in decided.enumerated() {
                let id = filing.idempotencyKey.map { Self.eventID(key: $0, actor: actor, index: index) } ?? UUID()
                events.append(NewEvent(id: id, type: event.typeName, occurredAt: filing.occurredAt, data: try event.encodedData(), metadata: metadata))
            }
            do {
                let result = try await store.append(to: stream, expected: version == 0 ? .noStream : .exactly(version), events: events,
                                                    barrier: decided.contains(where: decider.isBarrier))
                return try await answer(result, events, decided: decided, on: state, key: filing.idempotencyKey, actor: actor, requestHash: requestHash)
            } catch EventStoreError.wrongExpectedVersion(_, _, let actual) {
                // Someone filed in between: decide again on the new state, unless the filer pinned a version.
                if let pin = filing.pin, fresh {
                    throw ApplicationError.versionConflict(stream: stream.rawValue, expected: pin.version, actual: actual, pinnedBy: pin.source)
                }
                continue
            } catch EventStoreError.idempotencyConflict {
                throw ApplicationError.idempotencyConflict(key: filing.idempotencyKey ?? "")
            } catch EventStoreError.busy(let stream) {
                throw ApplicationError.busy(stream: stream)
            }
        }
        throw ApplicationError.keptChanging(stream: stream.rawValue)
    }

    /// The answer to an append of `events`, decided as `decided` on `state`: the cache learns the
    /// new state; a replay answers the first answer in full (the first attempt may have decided
    /// more events than this one).
    private func answer(
        _ result: AppendResult, _ events: [NewEvent], decided: [D.Event], on state: D.State, key: String?, actor: Actor, requestHash: RequestHash,
        evolved: D.State? = nil
    ) async throws -> FilingOutcome {
        if result.replayed {
            if let key, let replay = try await replay(key: key, actor: actor, requestHash: requestHash, count: max(4, events.count)) {
                return replay
            }
        } else {
            cache?.put(stream.rawValue, version: result.streamVersion, state: evolved ?? decided.reduce(state, decider.evolve))
        }
        return FilingOutcome(
            stream: stream.rawValue, events: zip(result.events, events).map { FilingOutcome.Event($0, type: $1.type) },
            streamVersion: result.streamVersion, replayed: result.replayed)
    }

    /// Files `filings` together: each decided on the state the ones before it leave, and all
    /// appended at once, or none when any is refused (``ApplicationError/refusedTogether`` names
    /// every one refused). A retry with the same idempotency key answers the first answer.
    public func fileTogether(
        _ filings: [Filing], idempotencyKey: String?, by actor: Actor, now: Date, lookups: @escaping @Sendable (_ needed: Bool) async throws -> D.Lookups
    ) async throws -> FilingOutcome {
        try await bounded { try await fileTogetherUnbounded(filings, idempotencyKey: idempotencyKey, by: actor, now: now, lookups: lookups) }
    }

    private func fileTogetherUnbounded(
        _ filings: [Filing], idempotencyKey: String?, by actor: Actor, now: Date, lookups: @Sendable (_ needed: Bool) async throws -> D.Lookups
    ) async throws -> FilingOutcome {
        let requestHash = RequestHash(together: filings)
        do {
            var decoded: [D.Event] = []
            for filing in filings {
                switch Result(catching: { () throws(EventDecodingError) in try D.Event.decodeFiling(typeName: filing.type, data: filing.data) }) {
                case .success(let event): decoded.append(event)
                case .failure(let error): throw ApplicationError.invalid(error)
                }
            }
            let looked = try await lookups(decoded.contains { decider.needsLookups($0) })
            let events = decoded
            return try await inTurn {
                try await decideAndAppendTogether(filings, events, looked, idempotencyKey: idempotencyKey, by: actor, now: now, requestHash: requestHash)
            }
        } catch {
            if let key = idempotencyKey, let replay = try await replayAfterFailure(key: key, actor: actor, requestHash: requestHash, count: filings.count) {
                return replay
            }
            throw error
        }
    }

    private func decideAndAppendTogether(
        _ filings: [Filing], _ decoded: [D.Event], _ looked: D.Lookups, idempotencyKey: String?, by actor: Actor, now: Date, requestHash: RequestHash
    ) async throws -> FilingOutcome {
        var mustRead = false
        for _ in 0..<Self.attempts {
            let (initial, version, fresh) = try await state(fresh: mustRead)
            mustRead = true
            var state = initial
            var refused: [RefusedFiling] = []
            var events: [NewEvent] = []
            var decidedAll: [D.Event] = []
            var barrier = false
            for (index, (filing, event)) in zip(filings, decoded).enumerated() {
                let context = DecisionContext(actor: actor, occurredAt: filing.occurredAt, now: now, lookups: looked)
                switch Result(catching: { () throws(DomainError) in try decider.file(event, context, state) }) {
                case .success(let decided):
                    let metadata = EventMetadata(
                        actor: actor.name, role: actor.role.rawValue, party: actor.party?.rawValue ?? "",
                        requestId: filing.requestID, idempotencyKey: idempotencyKey, requestHash: requestHash.recorded)
                    for event in decided {
                        barrier = barrier || decider.isBarrier(event)
                        state = decider.evolve(state, event)
                        decidedAll.append(event)
                        let id = idempotencyKey.map { Self.eventID(key: $0, actor: actor, index: events.count) } ?? UUID()
                        events.append(NewEvent(id: id, type: event.typeName, occurredAt: filing.occurredAt, data: try event.encodedData(), metadata: metadata))
                    }
                case .failure(let error): refused.append(RefusedFiling(index: index, error: error))
                }
            }
            guard refused.isEmpty else {
                if !fresh { continue }
                throw ApplicationError.refusedTogether(refused)
            }
            guard !events.isEmpty else { return FilingOutcome(stream: stream.rawValue, events: [], streamVersion: version, replayed: false) }
            do {
                let result = try await store.append(to: stream, expected: version == 0 ? .noStream : .exactly(version), events: events,
                                                    barrier: barrier)
                return try await answer(result, events, decided: decidedAll, on: initial, key: idempotencyKey, actor: actor, requestHash: requestHash,
                                        evolved: state)
            } catch EventStoreError.wrongExpectedVersion {
                continue
            } catch EventStoreError.idempotencyConflict {
                throw ApplicationError.idempotencyConflict(key: idempotencyKey ?? "")
            } catch EventStoreError.busy(let stream) {
                throw ApplicationError.busy(stream: stream)
            }
        }
        throw ApplicationError.keptChanging(stream: stream.rawValue)
    }

    /// The first answer to a retry whose filing failed; nil when there is none, or when it cannot be
    /// looked up (the filing's own failure is then the answer). A key used for another filing is
    /// still an idempotency conflict.
    func replayAfterFailure(key: String, actor: Actor, requestHash: RequestHash, count: Int) async throws -> FilingOutcome? {
        do {
            return try await replay(key: key, actor: actor, requestHash: requestHash, count: count)
        } catch let error as ApplicationError {
            throw error
        } catch {
            return nil
        }
    }

    /// The first answer to an idempotency key this filer already used, if any.
    func replay(key: String, actor: Actor, requestHash: RequestHash, count: Int = 4) async throws -> FilingOutcome? {
        let ids = (0..<max(count, 1)).map { Self.eventID(key: key, actor: actor, index: $0) }
        let recorded = try await store.events(withIDs: ids)
        guard let first = recorded.first else { return nil }
        guard first.streamID == stream.rawValue, requestHash.matches(first.metadata.requestHash) else {
            throw ApplicationError.idempotencyConflict(key: key)
        }
        return FilingOutcome(
            stream: stream.rawValue, events: recorded.map(FilingOutcome.Event.init),
            streamVersion: recorded.last?.streamVersion ?? 0, replayed: true)
    }

    /// Event ids derived from the filer and its key, so a retry names the same events.
    static func eventID(key: String, actor: Actor, index: Int) -> UUID {
        let digest = Array(SHA256.hash(data: Data("zhengshe-idempotency|\(actor.role.rawValue)|\(actor.party?.rawValue ?? actor.name)|\(key)|\(index)".utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// A recorded event that its stream's coding table cannot read: the log holds something this
/// build does not understand. Never the filer's fault.
public struct StoredEventUnreadable: Error, CustomStringConvertible {
    public var stream: String
    public var version: Int64
    public var reason: String
    public var description: String { "\(stream) v\(version) cannot be read: \(reason)" }
}

extension FilingOutcome.Event {
    init(_ entry: AppendResult.Entry, type: String) {
        self.init(eventID: entry.id, type: type, streamVersion: entry.streamVersion, globalPosition: entry.position.globalPosition,
                  recordedAt: entry.recordedAt, hash: entry.hash.hexString)
    }

    init(_ event: RecordedEvent) {
        self.init(eventID: event.id, type: event.type, streamVersion: event.streamVersion, globalPosition: event.position.globalPosition,
                  recordedAt: event.recordedAt, hash: event.hash.hexString)
    }
}
