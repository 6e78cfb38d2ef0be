import Foundation
import PostgresNIO
import Testing
import ZhengsheStore
import ZhengsheTestSupport

@Suite(.database, .serialized, .timeLimit(.minutes(2))) struct TamperTests {
    func sqlState(of body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.sqlState]
        } catch {
            return "\(error)"
        }
    }

    @Test func theDatabaseRejectsUpdateDeleteAndTruncate() async throws {
        let database = try TestDatabase.current
        let stream = try Fixture.stream()
        try await database.store.append(to: stream, expected: .any, events: Fixture.events(2))
        let client = database.client, logger = database.logger
        #expect(await sqlState { try await client.query("UPDATE events SET data = '{}' WHERE stream_id = \(stream.rawValue)", logger: logger) } == "ZS003")
        #expect(await sqlState { try await client.query("DELETE FROM events WHERE stream_id = \(stream.rawValue)", logger: logger) } == "ZS003")
        #expect(await sqlState { try await client.query("TRUNCATE events", logger: logger) } == "ZS003")
        #expect(try await database.store.readStream(stream, from: 1, limit: 10).count == 2)
    }

    @Test func verifyFindsARowAlteredBehindTheStoresBack() async throws {
        let database = try TestDatabase.current
        let verifier = ChainVerifier(client: database.client, logger: database.logger)
        let intact = try Fixture.stream("agreement")
        let altered = try Fixture.stream("agreement")
        let truncated = try Fixture.stream("agreement")
        for stream in [intact, altered, truncated] {
            try await database.store.append(to: stream, expected: .any, events: Fixture.events(4))
        }
        #expect(try await verifier.verify().isIntact)

        // A superuser disables the guard, edits one event's data and deletes another stream's tail.
        try await database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: database.logger)
            try await connection.query("ALTER TABLE events DISABLE TRIGGER events_append_only", logger: database.logger)
            try await connection.query(
                """
                UPDATE events SET data = jsonb_set(data, '{n}', '99') WHERE stream_id = \(altered.rawValue) AND stream_version = 3
                """,
                logger: database.logger
            )
            try await connection.query("DELETE FROM events WHERE stream_id = \(truncated.rawValue) AND stream_version = 4", logger: database.logger)
            try await connection.query("ALTER TABLE events ENABLE TRIGGER events_append_only", logger: database.logger)
            try await connection.query("COMMIT", logger: database.logger)
        }

        let report = try await verifier.verify()
        #expect(!report.isIntact)
        let byStream = Dictionary(uniqueKeysWithValues: report.breaks.map { ($0.stream, $0) })
        #expect(byStream[intact.rawValue] == nil)
        #expect(byStream[altered.rawValue]?.version == 3)
        #expect(byStream[altered.rawValue]?.reason.contains("altered") == true)
        #expect(byStream[truncated.rawValue]?.version == 4)

        let one = try await verifier.verify(stream: altered)
        #expect(one.streams == 1 && one.events == 4 && one.breaks.map(\.version) == [3])
        #expect(try await verifier.verify(stream: intact).isIntact)
    }
}
