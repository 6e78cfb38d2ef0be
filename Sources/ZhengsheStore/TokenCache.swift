public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization
import Foundation

/// Live tokens looked up in the last few seconds, so that a request does not pay a database
/// round trip for its token (issue 11). Revocation stays immediate: every change to a token is
/// announced when it commits (`Schema/0005_token_notify.sql`), and ``TokenRevocationListener``
/// clears the token here as it hears it. While no one is listening (at start, after the listening
/// connection was lost) nothing is kept, so a revocation can never be missed; ``lifetime`` bounds
/// an entry's age besides.
public final class TokenCache: Sendable {
    public let lifetime: Duration

    private struct Entry {
        var token: TokenStore.Token
        var at: ContinuousClock.Instant
    }

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        var listening = false
    }

    private let state = Mutex(State())

    public init(lifetime: Duration = .seconds(5)) {
        self.lifetime = lifetime
    }

    /// The live token with this hash, if it was looked up within ``lifetime`` and not changed since.
    func token(hash: [UInt8]) -> TokenStore.Token? {
        state.withLock { state in
            guard let entry = state.entries[hash] else { return nil }
            guard ContinuousClock.now - entry.at < lifetime else {
                state.entries[hash] = nil
                return nil
            }
            return entry.token
        }
    }

    /// Keeps a live token just read, while revocations are being heard.
    func keep(_ token: TokenStore.Token, hash: [UInt8], readSince: ContinuousClock.Instant, listeningSince: UInt64) {
        state.withLock { state in
            guard state.listening, listeningSince == generation.load(ordering: .acquiring) else { return }
            // (A cache this large is an attack's, not clerks': start again.)
            if state.entries.count >= 100_000 { state.entries.removeAll() }
            state.entries[hash] = Entry(token: token, at: readSince)
        }
    }

    /// Changes whenever what was heard may have been missed: a read that began in an earlier
    /// generation is not kept.
    private let generation = Atomic<UInt64>(0)

    var currentGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// A token changed: forget it (`hex` is its hash in hex), or everything when it cannot be read.
    func changed(hex: String) {
        let hash = Self.bytes(hex: hex)
        state.withLock { state in
            generation.add(1, ordering: .releasing)
            if let hash { state.entries[hash] = nil } else { state.entries.removeAll() }
        }
    }

    /// Whether revocations are being heard; either way, everything kept so far is forgotten.
    func listening(_ listening: Bool) {
        state.withLock { state in
            generation.add(1, ordering: .releasing)
            state.listening = listening
            state.entries.removeAll()
        }
    }

    /// Whether token changes are being heard (and so tokens kept).
    public var isListening: Bool { state.withLock { $0.listening } }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}

/// Listens on `zhengshe_tokens` and tells the cache of every token change; while it cannot listen,
/// the cache keeps nothing.
public struct TokenRevocationListener: Service {
    public static let channel = "zhengshe_tokens"
    let client: PostgresClient
    let cache: TokenCache
    let logger: Logger

    public init(client: PostgresClient, cache: TokenCache, logger: Logger) {
        self.client = client
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        cache.listening(true)
                        for try await notification in notifications.cancelOnGracefulShutdown() {
                            cache.changed(hex: notification.payload)
                        }
                    }
                }
            } catch {
                if !Task.isCancelled, !Task.isShuttingDownGracefully {
                    logger.info("token changes not heard; tokens are read from the database each time", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            cache.listening(false)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
