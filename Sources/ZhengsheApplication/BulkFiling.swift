public import Foundation
public import ZhengsheDomain
public import ZhengsheStore

/// One filing of a batch prepared in advance: what, by whom, when.
public struct ScriptedFiling<Event: StreamEvent>: Sendable {
    public var event: Event
    public var actor: Actor
    public var occurredAt: Date

    public init(_ event: Event, by actor: Actor, at occurredAt: Date) {
        self.event = event
        self.actor = actor
        self.occurredAt = occurredAt
    }
}

/// Many filings on one new stream at once, for imports and the demo city: every filing goes
/// through the stream's decider (the rules every stream shares first), in order, and what was
/// decided is appended in transactions of up to `batchSize` events, each at the version the last
/// left. A refused filing is counted and recorded nowhere.
public enum BulkFiling {
    public struct Decided<State: Sendable>: Sendable {
        public var events: [NewEvent]
        public var refused: Int
        /// The stream's state after every decided event.
        public var state: State
    }

    /// Decides `filings` in order on an empty stream.
    public static func decide<D: Decider>(
        _ filings: [ScriptedFiling<D.Event>], decider: D, lookups: D.Lookups, now: Date, requestID: String
    ) -> Decided<D.State> {
        var stream = DecidingStream(decider)
        var events: [NewEvent] = []
        var refused = 0
        for filing in filings {
            do {
                let context = DecisionContext(actor: filing.actor, occurredAt: filing.occurredAt, now: now, lookups: lookups)
                let metadata = EventMetadata(actor: filing.actor.name, role: filing.actor.role.rawValue, party: filing.actor.party?.rawValue ?? "", requestId: requestID)
                for event in try stream.file(filing.event, context) {
                    events.append(NewEvent(type: event.typeName, occurredAt: filing.occurredAt, data: try event.encodedData(), metadata: metadata))
                }
            } catch {
                refused += 1
            }
        }
        return Decided(events: events, refused: refused, state: stream.state)
    }

    /// Appends `events` to the new stream `stream` in transactions of up to `batchSize`.
    /// - Returns: how many were appended.
    @discardableResult
    public static func append(_ events: [NewEvent], to stream: StreamID, store: any EventStore, batchSize: Int = 500) async throws -> Int {
        var version: Int64 = 0
        var start = 0
        while start < events.count {
            let batch = Array(events[start..<min(start + batchSize, events.count)])
            let result = try await store.append(to: stream, expected: version == 0 ? .noStream : .exactly(version), events: batch)
            version = result.streamVersion
            start += batch.count
        }
        return events.count
    }
}
