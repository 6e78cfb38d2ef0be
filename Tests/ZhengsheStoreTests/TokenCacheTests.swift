import Foundation
import Logging
import PostgresNIO
import Testing
import ZhengsheStore
import ZhengsheTestSupport

/// Tokens cached for a few seconds (issue 11: no round trip per request for its token), with
/// revocation still immediate: a token revoked anywhere (another process, plain SQL) is refused at
/// once, and nothing is cached while revocations cannot be heard.
@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct TokenCacheTests {
    static func waitUntil(_ condition: () -> Bool, within: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    @Test func aCachedTokenIsRefusedAtOnceWhenRevokedElsewhere() async throws {
        let database = try TestDatabase.current
        let cache = TokenCache(lifetime: .seconds(60))
        let served = TokenStore(client: database.client, logger: database.logger, cache: cache)
        // The command line's store: no cache, another process as far as the database knows.
        let elsewhere = TokenStore(client: database.client, logger: database.logger)
        let listener = Task { try await TokenRevocationListener(client: database.client, cache: cache, logger: database.logger).run() }
        defer { listener.cancel() }
        #expect(try await Self.waitUntil { cache.isListening }, "the listener never listened")

        let (kept, keptSecret) = try await elsewhere.create(name: "kept", role: "government", party: "320412001")
        let (revoked, revokedSecret) = try await elsewhere.create(name: "revoked", role: "committee", party: "320412001001")
        #expect(try await served.authenticate(keptSecret)?.id == kept.id)
        #expect(try await served.authenticate(revokedSecret)?.id == revoked.id)

        // Cached: a change the database does not announce (the trigger off) is not seen.
        _ = try await database.client.query("ALTER TABLE api_tokens DISABLE TRIGGER api_tokens_changed", logger: database.logger)
        _ = try await database.client.query("UPDATE api_tokens SET name = 'renamed quietly' WHERE token_id = \(kept.id)", logger: database.logger)
        _ = try await database.client.query("ALTER TABLE api_tokens ENABLE TRIGGER api_tokens_changed", logger: database.logger)
        #expect(try await served.authenticate(keptSecret)?.name == "kept", "the token was read again rather than from the cache")

        // Revoked by another process: refused at once (here within 2 s on a busy test run, against
        // the minute this cache would otherwise keep it).
        try await elsewhere.revoke(revoked.id)
        let revoking = ContinuousClock.now
        var refused = false
        while ContinuousClock.now - revoking < .seconds(5) {
            if try await served.authenticate(revokedSecret) == nil { refused = true; break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let took = ContinuousClock.now - revoking
        #expect(refused && took < .seconds(2), "a revoked token was still accepted \(took) later")
        // Its neighbour is unaffected.
        #expect(try await served.authenticate(keptSecret)?.id == kept.id)
    }

    @Test func nothingIsCachedWhileRevocationsCannotBeHeard() async throws {
        let database = try TestDatabase.current
        let cache = TokenCache(lifetime: .seconds(60))
        let served = TokenStore(client: database.client, logger: database.logger, cache: cache)
        let (token, secret) = try await served.create(name: "t", role: "district", party: "320412")
        // No listener: every lookup reads the database (a silent revocation is seen).
        #expect(try await served.authenticate(secret)?.id == token.id)
        _ = try await database.client.query("ALTER TABLE api_tokens DISABLE TRIGGER api_tokens_changed", logger: database.logger)
        _ = try await database.client.query("UPDATE api_tokens SET revoked_at = clock_timestamp() WHERE token_id = \(token.id)", logger: database.logger)
        _ = try await database.client.query("ALTER TABLE api_tokens ENABLE TRIGGER api_tokens_changed", logger: database.logger)
        #expect(try await served.authenticate(secret) == nil)

        // The listening session ended: the cache empties and keeps nothing until it listens again.
        let listener = Task { try await TokenRevocationListener(client: database.client, cache: cache, logger: database.logger).run() }
        defer { listener.cancel() }
        #expect(try await Self.waitUntil { cache.isListening })
        let rows = try await database.client.query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'", logger: database.logger)
        var pids: [Int32] = []
        for try await pid in rows.decode(Int32.self) { pids.append(pid) }
        #expect(!pids.isEmpty)
        for pid in pids { _ = try await database.client.query("SELECT pg_terminate_backend(\(pid))::int", logger: database.logger) }
        #expect(try await Self.waitUntil({ !cache.isListening }, within: .seconds(5)), "the lost session went unnoticed")
        #expect(try await Self.waitUntil({ cache.isListening }, within: .seconds(10)), "the listener did not listen again")
    }
}
