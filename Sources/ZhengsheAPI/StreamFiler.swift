import Crypto
import Foundation
import Hummingbird
import Logging
import ZhengsheDomain
import ZhengsheStore

/// Files one request on one stream: replays a retried idempotency key, otherwise loads the
/// stream, asks the decider, and appends what it decided at the version it decided on.
struct StreamFiler<Event: StreamEvent, State: Sendable>: Sendable {
    let store: PostgresEventStore
    let stream: StreamID
    let initial: State
    let evolve: @Sendable (State, Event) -> State
    /// Where folded states are kept between requests; nil folds from the first event each time.
    var cache: StateCache<State>? = nil

    struct Outcome: Sendable {
        var events: [RecordedEventSummary]
        var streamVersion: Int64
        var replayed: Bool
    }

    /// The stream's current state and version: the cached state (if any) folded with the events
    /// recorded after it.
    func load() async throws -> (state: State, version: Int64) {
        let cached = cache?.get(stream.rawValue)
        var (version, state) = cached ?? (0, initial)
        let recorded = try await store.readStream(stream, from: version + 1, limit: Int.max)
        for event in recorded {
            state = evolve(state, try Event.decode(typeName: event.type, data: Data(event.data.utf8)))
            version = event.streamVersion
        }
        if !recorded.isEmpty { cache?.put(stream.rawValue, version: version, state: state) }
        return (state, version)
    }

    func file(
        _ request: FilingRequest, ifMatch: Int64?, idempotencyKey: String?, context: AppRequestContext,
        decide: @Sendable (Event, State) throws(DomainError) -> [Event]
    ) async throws -> Outcome {
        let filing: Event
        do {
            filing = try Event.decode(typeName: request.type, data: request.data)
        } catch let error as EventDecodingError {
            throw Problem(error)
        }
        let actor = try context.requireActor
        let expected = ifMatch ?? request.expectedVersion
        for _ in 0..<8 {
            if let key = idempotencyKey, let replay = try await replay(key: key, actor: actor, bodyHash: request.bodyHash) {
                return replay
            }
            let (state, version) = try await load()
            if let expected, expected != version {
                throw Problem.versionConflict(stream: stream.rawValue, expected: String(expected), actual: version, status: ifMatch != nil ? .preconditionFailed : .conflict)
            }
            let decided: [Event]
            do {
                decided = try decide(filing, state)
            } catch {
                throw Problem(error)
            }
            let metadata = EventMetadata(
                actor: actor.name, role: actor.role.rawValue, party: actor.party?.rawValue ?? "",
                requestId: context.requestID, idempotencyKey: idempotencyKey, requestHash: request.bodyHash
            )
            var events: [NewEvent] = []
            for (index, event) in decided.enumerated() {
                let id = idempotencyKey.map { Self.eventID(key: $0, actor: actor, index: index) } ?? UUID()
                events.append(NewEvent(id: id, type: event.typeName, occurredAt: request.occurredAt, data: try event.encodedData(), metadata: metadata))
            }
            do {
                let result = try await store.append(to: stream, expected: version == 0 ? .noStream : .exactly(version), events: events)
                return Outcome(
                    events: zip(result.events, events).map { RecordedEventSummary(entry: $0, type: $1.type) },
                    streamVersion: result.streamVersion, replayed: result.replayed)
            } catch EventStoreError.wrongExpectedVersion(_, _, let actual) {
                // Someone filed in between: decide again on the new state, unless the client pinned a version.
                if expected != nil {
                    throw Problem.versionConflict(stream: stream.rawValue, expected: String(version), actual: actual, status: ifMatch != nil ? .preconditionFailed : .conflict)
                }
                continue
            } catch EventStoreError.idempotencyConflict {
                throw Problem.idempotencyConflict(idempotencyKey ?? "")
            }
        }
        // Eight other filings landed while this one was being decided: say so rather than loop on.
        throw Problem(.conflict, type: "version-conflict", title: "Version conflict 版本冲突",
                      detail: "\(stream.rawValue) kept changing while this filing was decided; nothing was recorded, retry it (请重试)",
                      field: "/expectedVersion", rule: "expected-version")
    }

    /// The first answer to an idempotency key already used by this filer, if any.
    func replay(key: String, actor: Actor, bodyHash: String) async throws -> Outcome? {
        let ids = (0..<4).map { Self.eventID(key: key, actor: actor, index: $0) }
        let recorded = try await store.events(withIDs: ids)
        guard let first = recorded.first else { return nil }
        guard first.streamID == stream.rawValue, first.metadata.requestHash == bodyHash else {
            throw Problem.idempotencyConflict(key)
        }
        return Outcome(
            events: recorded.map(RecordedEventSummary.init),
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

/// One recorded event as filing answers show it.
struct RecordedEventSummary: Codable, Sendable {
    var eventId: UUID
    var type: String
    var streamVersion: Int64
    var globalPosition: Int64
    var recordedAt: Date
    var hash: String

    init(entry: AppendResult.Entry, type: String) {
        eventId = entry.id
        self.type = type
        streamVersion = entry.streamVersion
        globalPosition = entry.position.globalPosition
        recordedAt = entry.recordedAt
        hash = entry.hash.hexString
    }

    init(_ event: RecordedEvent) {
        eventId = event.id
        type = event.type
        streamVersion = event.streamVersion
        globalPosition = event.position.globalPosition
        recordedAt = event.recordedAt
        hash = event.hash.hexString
    }
}
