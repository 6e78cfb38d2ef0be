public import Foundation
public import Logging
public import PostgresNIO

/// The generations of projections in `projection_generations`: reading them, starting a build,
/// and the switch from the live generation to a caught-up build.
public struct ProjectionGenerations: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        projection, generation, version, schema_name, status, transaction_id::text, global_position, events_applied,
        last_error, runner, updated_at
        """

    /// Every generation, or those of `projection`, by projection and generation.
    public func list(_ projection: String? = nil) async throws -> [ProjectionGeneration] {
        let rows = try await client.checkedQuery(
            """
            SELECT \(unescaped: Self.columns) FROM projection_generations
             WHERE \(projection)::text IS NULL OR projection = \(projection) ORDER BY projection, generation
            """,
            logger: logger)
        var generations: [ProjectionGeneration] = []
        for try await (name, generation, version, schema, status, transaction, position, applied, error, runner, updated)
            in rows.decode((String, Int, Int, String, String, String, Int64, Int64, String?, String?, Date).self)
        {
            generations.append(
                ProjectionGeneration(
                    projection: name, generation: generation, version: version, schema: schema,
                    status: ProjectionGeneration.Status(rawValue: status) ?? .building,
                    position: LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: position),
                    eventsApplied: applied, lastError: error, runner: runner, updatedAt: updated))
        }
        return generations
    }

    /// Starts a new generation of `projection` from the first event, unless one is being built:
    /// its schema, its tables and its checkpoint, in one transaction.
    @discardableResult
    public func startBuilding(_ projection: any Projection) async throws -> ProjectionGeneration {
        try await client.withConnection { connection in
            try await connection.checkedQuery("BEGIN", logger: logger)
            do {
                let rows = try await connection.checkedQuery(
                    """
                    SELECT coalesce(max(generation), 0) + 1, bool_or(status = 'building')
                      FROM projection_generations WHERE projection = \(projection.name)
                    """, logger: logger)
                var next = 1
                var building = false
                for try await (generation, isBuilding) in rows.decode((Int, Bool?).self) {
                    next = generation
                    building = isBuilding ?? false
                }
                if building {
                    try await connection.checkedQuery("ROLLBACK", logger: logger)
                    guard let current = try await list(projection.name).first(where: { $0.status == .building }) else { throw CancellationError() }
                    return current
                }
                let schema = "projection_\(projection.name)_\(next)"
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
                for statement in projection.createTables(in: schema) {
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.checkedQuery(
                    """
                    INSERT INTO projection_generations (projection, generation, version, schema_name, status)
                    VALUES (\(projection.name), \(next), \(projection.version), \(schema), 'building')
                    """, logger: logger)
                try await connection.checkedQuery("COMMIT", logger: logger)
                logger.info("projection: building a new generation", metadata: ["projection": "\(projection.name)", "schema": "\(schema)"])
            } catch {
                _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                throw error
            }
            guard let started = try await list(projection.name).first(where: { $0.status == .building }) else {
                throw ProjectionCheckpointMoved(projection: projection.name, generation: 0)
            }
            return started
        }
    }

    /// Drops a build that will not be finished (its version is older than the code's).
    func discard(_ building: ProjectionGeneration) async throws {
        try await client.withConnection { connection in
            try await connection.checkedQuery("BEGIN", logger: logger)
            do {
                try await connection.checkedQuery(
                    "DELETE FROM projection_generations WHERE projection = \(building.projection) AND generation = \(building.generation) AND status = 'building'",
                    logger: logger)
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \"\(building.schema)\" CASCADE"), logger: logger)
                try await connection.checkedQuery("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                throw error
            }
        }
        logger.notice("projection: discarded a build of an older version", metadata: ["projection": "\(building.projection)", "schema": "\(building.schema)"])
    }

    /// Makes `building` the live generation, in one transaction, if its checkpoint is exactly
    /// `requireLive` (the live generation's) or, with nil, whatever the live one's: the views
    /// `projections.<table>` are pointed at its tables and the old generation is dropped.
    /// - Returns: whether it switched.
    func switchOver(_ projection: any Projection, building: ProjectionGeneration, requireLive: LogPosition?, on connection: PostgresConnection) async throws -> Bool {
        try await connection.checkedQuery("BEGIN", logger: logger)
        do {
            // Readers of the old views may hold them a while: wait a little, else try at the next wake-up.
            try await connection.checkedQuery("SET LOCAL lock_timeout = '5s'", logger: logger)
            let rows = try await connection.checkedQuery(
                """
                SELECT generation, status, schema_name, transaction_id::text, global_position, version
                  FROM projection_generations WHERE projection = \(projection.name) FOR UPDATE
                """, logger: logger)
            var live: (generation: Int, schema: String, position: LogPosition, version: Int)?
            var current: LogPosition?
            for try await (generation, status, schema, transaction, position, version) in rows.decode((Int, String, String, String, Int64, Int).self) {
                let at = LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: position)
                if status == "live" { live = (generation, schema, at, version) }
                if generation == building.generation { current = at }
            }
            guard let current, current == building.position, requireLive == nil || live?.position == requireLive,
                  (live?.version ?? 0) <= building.version  // never back to an older version
            else {
                try await connection.checkedQuery("ROLLBACK", logger: logger)
                return false
            }
            for table in projection.tables {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP VIEW IF EXISTS projections.\(table)"), logger: logger)
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "CREATE VIEW projections.\(table) AS SELECT * FROM \(building.schema).\(table)"), logger: logger)
            }
            if let live {
                try await connection.checkedQuery("DELETE FROM projection_generations WHERE projection = \(projection.name) AND generation = \(live.generation)", logger: logger)
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP SCHEMA \(live.schema) CASCADE"), logger: logger)
            }
            try await connection.checkedQuery(
                """
                UPDATE projection_generations SET status = 'live', updated_at = clock_timestamp()
                 WHERE projection = \(projection.name) AND generation = \(building.generation)
                """, logger: logger)
            try await connection.checkedQuery("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
            throw error
        }
        logger.notice("projection: switched to a new generation", metadata: ["projection": "\(projection.name)", "schema": "\(building.schema)"])
        return true
    }

    /// Whether the live generation of `projection` has applied the event at `globalPosition`, has
    /// not yet, or cannot: no event was recorded at that position (one beyond the log's end, or a
    /// gap a rolled-back append left).
    public enum Coverage: Sendable, Equatable {
        case covered
        case notYet
        case noSuchEvent
    }

    /// Whether the live generation of `projection` has applied the event at `globalPosition` (and
    /// so, by the gap-safe order, every event committed before it), and if not, whether it ever can.
    public func coverage(_ projection: String, globalPosition: Int64) async throws -> Coverage {
        let rows = try await client.checkedQuery(
            """
            SELECT EXISTS (SELECT 1 FROM events WHERE global_position = \(globalPosition)),
                   EXISTS (
                SELECT 1 FROM events e JOIN projection_generations g ON g.projection = \(projection) AND g.status = 'live'
                 WHERE e.global_position = \(globalPosition) AND (e.transaction_id, e.global_position) <= (g.transaction_id, g.global_position))
            """, logger: logger)
        for try await (exists, covered) in rows.decode((Bool, Bool).self) { return covered ? .covered : exists ? .notYet : .noSuchEvent }
        return .noSuchEvent
    }

    /// Whether the live generation of `projection` has applied the event at `globalPosition` (and
    /// so, by the gap-safe order, every event committed before it).
    public func covers(_ projection: String, globalPosition: Int64) async throws -> Bool {
        let rows = try await client.checkedQuery(
            """
            SELECT EXISTS (
                SELECT 1 FROM events e JOIN projection_generations g ON g.projection = \(projection) AND g.status = 'live'
                 WHERE e.global_position = \(globalPosition) AND (e.transaction_id, e.global_position) <= (g.transaction_id, g.global_position))
            """, logger: logger)
        for try await covered in rows.decode(Bool.self) { return covered }
        return false
    }

    /// How many events lie after `position`, and how long ago the first of them was recorded.
    public func lag(after position: LogPosition) async throws -> (events: Int64, seconds: Double) {
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: """
                    SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(recorded_at)), 0)::float8
                      FROM events WHERE (transaction_id, global_position) > ($1::text::xid8, $2)
                    """,
                binds: try PostgresEventStore.binds(String(position.transactionID), position.globalPosition)),
            logger: logger)
        for try await (count, seconds) in rows.decode((Int64, Double).self) { return (count, seconds) }
        return (0, 0)
    }
}
