import Synchronization

/// One append waiting to be recorded: what ``EventStore/append(to:expected:events:barrier:)`` was given.
struct PendingAppend: Sendable {
    var stream: StreamID
    var expected: ExpectedVersion
    var events: [NewEvent]
}

/// How appends are grouped into one transaction (成组提交, group commit).
public struct GroupCommit: Sendable, Hashable {
    /// Batches recorded at once, each on a connection of its own. While they are all under way,
    /// new appends wait and go together in the next batch; a lone append never waits.
    public var concurrentBatches: Int
    /// The most appends in one batch.
    public var maximumAppends: Int
    /// The most events in one batch (an append bigger than this goes alone).
    public var maximumEvents: Int

    public init(concurrentBatches: Int = 2, maximumAppends: Int = 64, maximumEvents: Int = 2000) {
        self.concurrentBatches = max(1, concurrentBatches)
        self.maximumAppends = max(1, maximumAppends)
        self.maximumEvents = max(1, maximumEvents)
    }

    public static let `default` = GroupCommit()
}

/// Gathers the appends that arrive while earlier batches are being recorded, and records them
/// together (one transaction, one COMMIT, one WAL flush), answering each with its own outcome once
/// the batch's COMMIT is acknowledged.
///
/// There is no timer: an append that finds a batch slot free starts a batch at once (alone, if it
/// is alone); appends that arrive while every slot is busy wait for the first slot to come free.
/// Under load, batches grow to what arrives during one round of recording.
///
/// Appends to one stream keep their order: a batch takes them in arrival order, and an append
/// whose stream has an append in a batch under way waits for that batch to end (as does every
/// later append to the same stream).
final class AppendBatcher: Sendable {
    typealias Record = @Sendable ([PendingAppend]) async -> [Result<AppendResult, any Error>]

    private struct Waiting: Sendable {
        var id: UInt64
        var append: PendingAppend
        var continuation: CheckedContinuation<AppendResult, any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var running = 0
        /// Streams with an append in a batch under way, and how many.
        var busy: [String: Int] = [:]
    }

    private let state = Mutex(State())
    /// Batches recorded so far, and the appends in them (for tests and the benchmark).
    let recorded = Atomic<Int>(0)
    let recordedAppends = Atomic<Int>(0)
    private let nextID = Atomic<UInt64>(0)
    let settings: GroupCommit
    private let record: Record

    /// - Parameter record: records a batch in one transaction and gives one outcome per append, in order.
    init(settings: GroupCommit, record: @escaping Record) {
        self.settings = settings
        self.record = record
    }

    /// Records `append` in the next batch that can take it. A caller cancelled while its append
    /// still waits takes it out of the line (`CancellationError`: nothing was sent); once a batch
    /// has taken it, it is recorded and answered like the others.
    func append(_ append: PendingAppend) async throws -> AppendResult {
        let id = nextID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
                let batch = state.withLock { state -> [Waiting] in
                    state.waiting.append(Waiting(id: id, append: append, continuation: continuation))
                    guard state.running < settings.concurrentBatches else { return [] }
                    let batch = take(&state)
                    if !batch.isEmpty { state.running += 1 }
                    return batch
                }
                // Not the caller's task: a batch carries other filers' appends, so one caller's
                // cancellation must not cancel it. What bounds it is the record's own time limit.
                if !batch.isEmpty { Task { await self.run(batch) } }
            }
        } onCancel: {
            let left = state.withLock { state -> Waiting? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            left?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Records `batch`, then each next batch, until nothing waits that can go.
    private func run(_ first: [Waiting]) async {
        var batch = first
        while !batch.isEmpty {
            let appends = batch.map(\.append)
            var results = await record(appends)
            recorded.add(1, ordering: .relaxed)
            recordedAppends.add(appends.count, ordering: .relaxed)
            if results.count != batch.count {
                results = Array(repeating: .failure(BatchOutcomeMissing()), count: batch.count)
            }
            let done = batch
            batch = state.withLock { state in
                for waiting in done {
                    let stream = waiting.append.stream.rawValue
                    if let count = state.busy[stream], count > 1 { state.busy[stream] = count - 1 } else { state.busy[stream] = nil }
                }
                let next = take(&state)
                if next.isEmpty { state.running -= 1 }
                return next
            }
            for (waiting, result) in zip(done, results) { waiting.continuation.resume(with: result) }
        }
    }

    /// The next batch: waiting appends in arrival order, up to the limits, leaving behind (with
    /// every later append to its stream) an append whose stream is busy in a batch under way.
    private func take(_ state: inout State) -> [Waiting] {
        guard !state.waiting.isEmpty else { return [] }
        var batch: [Waiting] = []
        var left: [Waiting] = []
        var events = 0
        var heldBack: Set<String> = []
        for waiting in state.waiting {
            let stream = waiting.append.stream.rawValue
            let fits = batch.count < settings.maximumAppends
                && (batch.isEmpty || events + waiting.append.events.count <= settings.maximumEvents)
            if fits && state.busy[stream] == nil && !heldBack.contains(stream) {
                batch.append(waiting)
                events += waiting.append.events.count
            } else {
                left.append(waiting)
                heldBack.insert(stream)
            }
        }
        state.waiting = left
        for waiting in batch { state.busy[waiting.append.stream.rawValue, default: 0] += 1 }
        return batch
    }
}

/// A batch's record gave fewer outcomes than it had appends: a fault of this program.
struct BatchOutcomeMissing: Error, CustomStringConvertible {
    var description: String { "the batch was recorded without an outcome for every append" }
}

extension PostgresEventStore {
    /// Batches recorded by this store's group commit so far, and the appends in them; nil when it
    /// does not group appends.
    public var groupCommitCounts: (batches: Int, appends: Int)? {
        batcher.map { ($0.recorded.load(ordering: .relaxed), $0.recordedAppends.load(ordering: .relaxed)) }
    }
}
