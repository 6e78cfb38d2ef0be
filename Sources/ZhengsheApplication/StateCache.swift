import Synchronization

/// The last folded state of recently used streams, so a filing reads only the events recorded
/// since (by anyone, in any process) instead of the whole stream.
public final class StateCache<State: Sendable>: Sendable {
    private let entries = Mutex<[String: (version: Int64, state: State)]>([:])
    public let capacity: Int

    public init(capacity: Int = 20_000) { self.capacity = capacity }

    public func get(_ stream: String) -> (version: Int64, state: State)? {
        entries.withLock { $0[stream] }
    }

    /// Keeps the newer of what is cached and `version`.
    public func put(_ stream: String, version: Int64, state: State) {
        entries.withLock { entries in
            if let cached = entries[stream], cached.version >= version { return }
            if entries.count >= capacity, entries[stream] == nil {
                // Crude but bounded: forget a tenth of the entries; they are rebuilt from the log on demand.
                for key in entries.keys.prefix(max(1, capacity / 10)) { entries[key] = nil }
            }
            entries[stream] = (version, state)
        }
    }
}
