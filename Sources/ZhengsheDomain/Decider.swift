public import Foundation

/// A stream's rules, as a decider: from the stream's state and a filing, the events to record
/// (`decide`), and from a state and an event, the next state (`evolve`). Pure: the caller supplies
/// the filer, the clock and whatever the rules consult outside the stream.
///
/// Filings are shaped like the events they ask for, so a filing is an `Event` value; the decider
/// may refuse it, complete it (fields the service fills in) or add events (an agreement takes
/// effect when the second side signs).
public protocol Decider: Sendable {
    associatedtype Event: StreamEvent
    associatedtype State: Sendable
    /// What a decision reads outside its own stream (an agreement: the district's lists);
    /// `Void` when nothing.
    associatedtype Lookups: Sendable = Void

    /// The state of a stream with no events.
    var initialState: State { get }

    /// The events to record for `filing`, or the rule it breaks. Callers use ``file(_:_:_:)``,
    /// which checks the rules every stream shares first.
    func decide(_ filing: Event, _ context: DecisionContext<Lookups>, _ state: State) throws(DomainError) -> [Event]

    /// The state after `event`. Total: events are facts, already decided.
    func evolve(_ state: State, _ event: Event) -> State

    /// Whether deciding `filing` reads the lookups, so that callers may spare loading them.
    func needsLookups(_ filing: Event) -> Bool

    /// Whether `event` must be recorded as a barrier in the log (定稿屏障): after every event
    /// recorded before it has committed, and before any recorded after it, because it fixes what
    /// counts as recorded by its own time (an evaluation's finalization). False by default.
    func isBarrier(_ event: Event) -> Bool
}

/// Who files, when, and what else the rules may read.
public struct DecisionContext<Lookups: Sendable>: Sendable {
    public var actor: Actor
    /// Business time: when the filer says it happened.
    public var occurredAt: Date
    /// The service's clock.
    public var now: Date
    public var lookups: Lookups

    public init(actor: Actor, occurredAt: Date, now: Date, lookups: Lookups) {
        self.actor = actor
        self.occurredAt = occurredAt
        self.now = now
        self.lookups = lookups
    }

    /// The calendar date of `occurredAt` in Shanghai.
    public var date: LocalDate { LocalDate(occurredAt) }
}

extension DecisionContext where Lookups == Void {
    public init(actor: Actor, occurredAt: Date, now: Date) {
        self.init(actor: actor, occurredAt: occurredAt, now: now, lookups: ())
    }
}

/// Rules that hold on every stream.
public enum SharedRules {
    /// How far ahead of the service's clock a filer's clock may run.
    public static let clockSkew: TimeInterval = 300
    /// The years business time may fall in.
    public static let plausibleYears = 2000...2100

    /// Business time is plausible and not in the future.
    public static func check<L>(_ context: DecisionContext<L>) throws(DomainError) {
        guard context.occurredAt <= context.now.addingTimeInterval(clockSkew) else {
            throw DomainError(rule: "not-in-future", field: "/occurredAt", "occurredAt lies in the future (发生时间不能晚于当前时间)")
        }
        guard plausibleYears.contains(context.date.year) else {
            throw DomainError(rule: "plausible-time", field: "/occurredAt",
                              "occurredAt must fall in \(plausibleYears.lowerBound)–\(plausibleYears.upperBound) (发生时间不合理)")
        }
    }
}

extension Decider {
    public func needsLookups(_ filing: Event) -> Bool { true }

    public func isBarrier(_ event: Event) -> Bool { false }

    /// The rules every stream shares (``SharedRules``), then this stream's own: what callers use.
    public func file(_ filing: Event, _ context: DecisionContext<Lookups>, _ state: State) throws(DomainError) -> [Event] {
        try SharedRules.check(context)
        return try decide(filing, context, state)
    }

    /// The state after `events`, from `state` (the initial state by default).
    public func fold(_ events: some Sequence<Event>, from state: State? = nil) -> State {
        events.reduce(state ?? initialState, evolve)
    }
}

/// A stream being filed on in memory: the one decide-then-evolve loop, for callers that decide
/// many filings before they append (the demo city, imports).
public struct DecidingStream<D: Decider>: Sendable {
    public let decider: D
    public private(set) var state: D.State

    public init(_ decider: D, state: D.State? = nil) {
        self.decider = decider
        self.state = state ?? decider.initialState
    }

    /// Decides `filing` on the current state and evolves by what was decided.
    @discardableResult
    public mutating func file(_ filing: D.Event, _ context: DecisionContext<D.Lookups>) throws(DomainError) -> [D.Event] {
        let events = try decider.file(filing, context, state)
        state = decider.fold(events, from: state)
        return events
    }
}
