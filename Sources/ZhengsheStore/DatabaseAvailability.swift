public import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Whether the database is known to be out of reach, so that requests can be answered `503` at
/// once rather than wait for a pool that cannot connect (PostgresNIO's own breaker trips only
/// after a minute of failed attempts).
///
/// It is marked down by a request that found the database unreachable and by the
/// ``DatabaseMonitor``'s probe; only the probe, reaching it again, marks it up.
public final class DatabaseAvailability: Sendable {
    public struct Outage: Sendable, Hashable {
        public var since: Date
        public var reason: String
    }

    private let state = Mutex<Outage?>(nil)

    public init() {}

    /// The outage under way, if any.
    public var outage: Outage? { state.withLock { $0 } }

    public func markDown(_ reason: String) {
        state.withLock { outage in
            if outage == nil { outage = Outage(since: Date(), reason: reason) }
        }
    }

    public func markUp() {
        state.withLock { $0 = nil }
    }

    private struct Watched: @unchecked Sendable {
        weak var client: PostgresClient?
        let availability: DatabaseAvailability
    }

    private static let watched = Mutex<[Watched]>([])

    /// Lets the queries on `client` give up once the database is known to be down
    /// (``PostgresClient/checkedQuery(_:logger:file:line:)``).
    public func watch(_ client: PostgresClient) {
        Self.watched.withLock { watched in
            watched.removeAll { $0.client == nil || $0.client === client }
            watched.append(Watched(client: client, availability: self))
        }
    }

    /// The availability that watches `client`, if one does.
    static func watching(_ client: PostgresClient) -> DatabaseAvailability? {
        Self.watched.withLock { watched in watched.first { $0.client === client }?.availability }
    }
}

/// Probes the database once a second on a client of its own, with a short time limit, and keeps
/// ``DatabaseAvailability`` current: down as soon as a probe fails or takes too long, up as soon
/// as one succeeds.
public struct DatabaseMonitor: Service {
    let configuration: PostgresClient.Configuration
    let availability: DatabaseAvailability
    let interval: Duration
    let limit: Duration
    let logger: Logger

    public init(configuration: PostgresClient.Configuration, availability: DatabaseAvailability, interval: Duration = .seconds(1),
                limit: Duration = .seconds(2), logger: Logger) {
        var configuration = configuration
        configuration.options.maximumConnections = 1
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = limit
        self.configuration = configuration
        self.availability = availability
        self.interval = interval
        self.limit = limit
        self.logger = logger
    }

    public func run() async throws {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    let answered = await Self.within(limit) {
                        _ = try await client.checkedQuery("SELECT 1", logger: logger)
                        return true
                    }
                    switch answered {
                    case .some:
                        if let outage = availability.outage {
                            logger.notice("database reachable again", metadata: ["down_since": "\(outage.since)"])
                        }
                        availability.markUp()
                    default:
                        if availability.outage == nil { logger.error("database unreachable: answering 503 until it is back") }
                        availability.markDown("the database did not answer a probe within \(limit)")
                    }
                    try? await Task.sleep(for: interval)
                }
            }
            group.cancelAll()
        }
    }

    /// `body`'s answer, or nil when it fails or takes longer than `limit` (it is then left to
    /// finish on its own: a query stuck on a dead connection may not heed cancellation).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> T? {
        try? await answerWithin(limit, body)
    }
}

/// No answer within the time allowed.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var limit: Duration
    public var description: String { "no answer within \(limit)" }
}

/// `body`'s answer, or ``DeadlineExceeded`` once `limit` has passed (to within the
/// ``Watchdog``'s interval), whichever comes first. `body` runs in a task of its own (inheriting
/// task-local values) and is cancelled at the deadline, but the answer does not wait for it to
/// stop: something stuck that ignores cancellation cannot hold the caller.
public func answerWithin<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let first = FirstAnswer<T>()
    let work = Task { first.resolve(await Result(catching: { try await body() })) }
    first.onCancel { work.cancel() }
    let ticket = Watchdog.shared.register(.init(deadline: .now + limit) {
        work.cancel()
        first.resolve(.failure(DeadlineExceeded(limit: limit)))
    })
    // The watch goes with the answer.
    defer { Watchdog.shared.release(ticket) }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { first.install($0) }
    } onCancel: {
        first.cancel()
    }
}

/// The first of several answers resumes the continuation; the others are dropped.
final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var cancelWork: (@Sendable () -> Void)?
        var done = false
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let pending = s.pending { s.done = true; return pending }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onCancel(_ cancel: @escaping @Sendable () -> Void) {
        state.withLock { $0.cancelWork = cancel }
    }

    func resolve(_ result: Result<T, any Error>) {
        let continuation = state.withLock { s -> CheckedContinuation<T, any Error>? in
            guard !s.done else { return nil }
            guard let c = s.continuation else { s.pending = s.pending ?? result; return nil }
            s.done = true
            s.continuation = nil
            return c
        }
        continuation?.resume(with: result)
    }

    func cancel() {
        let work = state.withLock { $0.cancelWork }
        work?()
        resolve(.failure(CancellationError()))
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
