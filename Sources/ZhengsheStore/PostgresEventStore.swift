public import Logging
public import PostgresNIO
public import Foundation
import Metrics

/// The event store on PostgreSQL. The rules that make it safe (locking, expected versions,
/// idempotency, hash chain, append-only) live in the database (`Schema/0001_event_store.sql`);
/// this type binds values and maps errors.
public struct PostgresEventStore: EventStore {
    public let client: PostgresClient
    public let logger: Logger
    let notifier: AppendNotifier?

    /// How long a barrier waits for the appends in flight before it gives up.
    public let barrierWait: Duration

    /// - Parameters:
    ///   - notifier: told of every committed append, so it can wake `LISTEN`ers.
    ///   - barrierWait: how long a barrier waits for the appends in flight.
    public init(client: PostgresClient, logger: Logger, notifier: AppendNotifier? = nil, barrierWait: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.notifier = notifier
        self.barrierWait = barrierWait
    }

    /// Metadata as stored: keys sorted, so the same metadata is the same jsonb text and hash input.
    static let metadataEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// The channel on which committed appends are announced.
    public static let notificationChannel = "zhengshe_events"

    /// Appends `events` to `stream` atomically if the stream is at `expected`.
    /// - Parameter barrier: record them as a barrier in the log (定稿屏障, `Schema/0004_log_barrier.sql`):
    ///   wait for every append in flight to commit, and hold new ones back until this one has, so
    ///   that every event recorded before these committed before them and every event recorded
    ///   after them was recorded after their COMMIT. For what must count exactly the events before
    ///   it, however often it is read (an evaluation's finalization). Gives up with
    ///   ``EventStoreError/busy(stream:)`` after ``barrierWait``, having written nothing.
    public func append(to stream: StreamID, expected: ExpectedVersion, events: [NewEvent], barrier: Bool) async throws -> AppendResult {
        guard !events.isEmpty else { throw EventStoreError.invalidEvent("an append needs at least one event") }
        let (kind, version): (String, Int64) =
            switch expected {
            case .any: ("any", 0)
            case .noStream: ("no_stream", 0)
            case .exactly(let n): ("exact", n)
            }
        let encoder = Self.metadataEncoder
        var metadata: [String] = []
        metadata.reserveCapacity(events.count)
        for event in events {
            metadata.append(String(decoding: try encoder.encode(event.metadata), as: UTF8.self))
        }
        let ids = events.map(\.id)
        let types = events.map(\.type)
        let occurred = events.map(\.occurredAt)
        let data = events.map { String(decoding: $0.data, as: UTF8.self) }
        let query: PostgresQuery = """
            SELECT event_id, stream_version, global_position, transaction_id, recorded_at, hash, replayed
              FROM append_events(\(stream.rawValue), \(kind), \(version), \(ids), \(types), \(occurred),
                                 \(data)::text[]::jsonb[], \(metadata)::text[]::jsonb[])
            """
        do {
            // An explicit transaction, because PostgresNIO ends a query's rows at CommandComplete,
            // which the server sends before it commits an implicit transaction: only a COMMIT's
            // own completion says that the events are durable and visible.
            let (entries, replayed) = try await client.withConnection { connection in
                try await connection.checkedQuery("BEGIN", logger: logger)
                do {
                    if barrier { try await Self.lockLog(connection, within: barrierWait, logger: logger) }
                    var entries: [AppendResult.Entry] = []
                    entries.reserveCapacity(events.count)
                    var replayed = false
                    let rows = try await connection.checkedQuery(query, logger: logger)
                    for try await (id, streamVersion, position, transaction, recordedAt, hash, wasReplayed)
                        in rows.decode((UUID, Int64, Int64, String, Date, Data, Bool).self)
                    {
                        entries.append(
                            .init(
                                id: id,
                                streamVersion: streamVersion,
                                position: LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: position),
                                recordedAt: recordedAt,
                                hash: [UInt8](hash)
                            )
                        )
                        replayed = wasReplayed
                    }
                    try await connection.checkedQuery("COMMIT", logger: logger)
                    return (entries, replayed)
                } catch {
                    _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                    throw error
                }
            }
            if !replayed { notifier?.appended(position: entries.last?.position.globalPosition ?? 0) }
            Counter(label: "zhengshe_appends_total", dimensions: [("category", stream.category), ("replayed", String(replayed))]).increment()
            return AppendResult(streamID: stream.rawValue, events: entries, replayed: replayed)
        } catch let error as PSQLError {
            let mapped = Self.mapAppendError(error, stream: stream, expected: expected)
            if let storeError = mapped as? EventStoreError, case .wrongExpectedVersion = storeError {
                Counter(label: "zhengshe_append_conflicts_total", dimensions: [("category", stream.category)]).increment()
            }
            throw mapped
        }
    }

    /// Takes the log's barrier lock in the transaction open on `connection`, trying for a while at
    /// a time (200 ms, then twice as long each time) until `wait` has passed: a LOCK waiting in
    /// PostgreSQL's queue holds every append that comes after it, so a barrier steps out of the
    /// queue (ROLLBACK, a new BEGIN) and lets them pass rather than stall them all for the whole
    /// wait. The rest of the transaction keeps `wait` as its lock timeout.
    static func lockLog(_ connection: PostgresConnection, within wait: Duration, logger: Logger) async throws {
        func milliseconds(_ duration: Duration) -> Int64 {
            let parts = duration.components
            return max(1, parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000)
        }
        let deadline = ContinuousClock.now + wait
        var step = Duration.milliseconds(200)
        while true {
            let left = deadline - ContinuousClock.now
            do {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(milliseconds(min(step, left)))ms'"), logger: logger)
                try await connection.checkedQuery("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE", logger: logger)
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(milliseconds(wait))ms'"), logger: logger)
                return
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" && ContinuousClock.now < deadline {
                try await connection.checkedQuery("ROLLBACK", logger: logger)
                try await Task.sleep(for: .milliseconds(Int.random(in: 20...60)))
                try await connection.checkedQuery("BEGIN", logger: logger)
                step = step * 2
            }
        }
    }

    public func version(of stream: StreamID) async throws -> Int64 {
        let rows = try await client.checkedQuery(
            "SELECT version FROM streams WHERE stream_id = \(stream.rawValue)",
            logger: logger
        )
        for try await version in rows.decode(Int64.self) { return version }
        return 0
    }

    /// Columns of a ``RecordedEvent`` from `events e`, in the order ``decodeEvents(_:)`` reads them.
    /// The text form of the transaction id has a name of its own, so that an `ORDER BY` can never
    /// sort by it (as text, 999 sorts after 1041).
    static let eventColumns = """
        e.stream_id, e.stream_version, e.global_position, e.transaction_id::text AS transaction_text, e.event_id, e.event_type,
        e.data::text, e.metadata::text, e.occurred_at, e.recorded_at, e.previous_hash, e.hash
        """

    public func readStream(_ stream: StreamID, from version: Int64 = 1, limit: Int = 1000) async throws -> [RecordedEvent] {
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.eventColumns) FROM events e
                     WHERE e.stream_id = $1 AND e.stream_version >= $2
                     ORDER BY e.stream_version LIMIT $3
                    """,
                binds: try Self.binds(stream.rawValue, version, Int64(limit))
            ),
            logger: logger
        )
        return try await Self.decodeEvents(rows)
    }

    /// The recorded events among `ids`, in stream order.
    public func events(withIDs ids: [UUID]) async throws -> [RecordedEvent] {
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.eventColumns) FROM events e WHERE e.event_id = ANY($1) ORDER BY e.stream_id, e.stream_version",
                binds: try Self.binds(ids)
            ),
            logger: logger
        )
        return try await Self.decodeEvents(rows)
    }

    public func readAll(after position: LogPosition = .start, limit: Int = 1000) async throws -> [RecordedEvent] {
        // Only transactions older than the oldest one still in flight are final: any event that
        // commits later belongs to a transaction at or above that horizon, so it sorts after
        // everything returned here and a reader resuming from the last pair cannot skip it.
        let rows = try await client.checkedQuery(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.eventColumns) FROM events e
                     WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2)
                       AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY e.transaction_id, e.global_position LIMIT $3
                    """,
                binds: try Self.binds(String(position.transactionID), position.globalPosition, Int64(limit))
            ),
            logger: logger
        )
        return try await Self.decodeEvents(rows)
    }

    /// Where the log stands for a reader now: the oldest transaction still in flight (every
    /// event below it has committed, and none can join them) and the last event below it; 0 for
    /// an empty log.
    public func horizon() async throws -> (globalPosition: Int64, transactionHorizon: Int64) {
        let rows = try await client.checkedQuery(
            """
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text,
                   coalesce((SELECT global_position FROM events WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                              ORDER BY global_position DESC LIMIT 1), 0)
            """, logger: logger)
        for try await (horizon, position) in rows.decode((String, Int64).self) { return (position, Int64(horizon) ?? 0) }
        return (0, 0)
    }

    static func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return bindings
    }

    static func decodeEvents(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [RecordedEvent] {
        let decoder = JSONDecoder()
        var events: [RecordedEvent] = []
        for try await row in rows {
            let (stream, version, global, transaction, id, type, data, metadata, occurred, recorded, previous, hash) =
                try row.decode((String, Int64, Int64, String, UUID, String, String, String, Date, Date, Data?, Data).self)
            events.append(
                RecordedEvent(
                    streamID: stream,
                    streamVersion: version,
                    position: LogPosition(transactionID: UInt64(transaction) ?? 0, globalPosition: global),
                    id: id,
                    type: type,
                    data: data,
                    metadata: try decoder.decode(EventMetadata.self, from: Data(metadata.utf8)),
                    occurredAt: occurred,
                    recordedAt: recorded,
                    previousHash: previous.map { [UInt8]($0) },
                    hash: [UInt8](hash)
                )
            )
        }
        return events
    }
}
