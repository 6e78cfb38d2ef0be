public import Logging
public import PostgresNIO
import Foundation

/// Walks the log and checks, stream by stream, that every event's hash still holds.
///
/// It trusts nothing stored but the fields themselves: versions must run 1, 2, 3… without a gap,
/// each event must name its predecessor's hash, each hash must be recomputed alike, and the
/// stream's recorded head (version and last hash) must match its last event, so a deleted tail
/// shows too.
public struct ChainVerifier: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// One event (or stream head) whose hash chain does not hold.
    public struct Break: Sendable, Hashable, CustomStringConvertible {
        public var stream: String
        /// The version of the first event that does not hold (for a head mismatch, the head's version).
        public var version: Int64
        public var reason: String
        public var description: String { "\(stream) v\(version): \(reason)" }
    }

    public struct Report: Sendable, Hashable {
        public var streams = 0
        public var events = 0
        /// The first break of each broken stream, in stream order.
        public var breaks: [Break] = []
        public var isIntact: Bool { breaks.isEmpty }
    }

    /// Verifies every stream, or only `stream` when given.
    public func verify(stream: StreamID? = nil) async throws -> Report {
        let filter = stream?.rawValue
        let rows = try await client.query(
            """
            SELECT e.stream_id, e.stream_version, e.event_id::text, e.event_type,
                   epoch_micros(e.occurred_at), epoch_micros(e.recorded_at), e.data::text, e.metadata::text,
                   e.previous_hash, e.hash
              FROM events e
             WHERE \(filter)::text IS NULL OR e.stream_id = \(filter)
             ORDER BY e.stream_id, e.stream_version
            """,
            logger: logger
        )
        var report = Report()
        var heads = try await streamHeads(filter)
        var current: (stream: String, version: Int64, hash: [UInt8]?, broken: Bool)? = nil

        func finish(_ state: (stream: String, version: Int64, hash: [UInt8]?, broken: Bool)) {
            let head = heads.removeValue(forKey: state.stream)
            guard !state.broken else { return }
            if let head, head.version != state.version || head.hash != state.hash {
                report.breaks.append(.init(
                    stream: state.stream, version: head.version,
                    reason: "the stream's head says version \(head.version), but its last intact event is version \(state.version)"))
            }
        }

        for try await (stream, version, id, type, occurred, recorded, data, metadata, previous, hash)
            in rows.decode((String, Int64, String, String, String, String, String, String, Data?, Data).self)
        {
            let previous = previous.map { [UInt8]($0) }
            let hash = [UInt8](hash)
            report.events += 1
            if current?.stream != stream {
                if let current { finish(current) }
                report.streams += 1
                current = (stream, 0, nil, false)
            }
            guard var state = current, !state.broken else { continue }
            let expected = EventHash.compute(
                previous: state.hash,
                .init(streamID: stream, streamVersion: version, eventID: id, eventType: type,
                      occurredAtMicros: occurred, recordedAtMicros: recorded, data: data, metadata: metadata))
            let reason: String? =
                if version != state.version + 1 {
                    "version \(version) follows version \(state.version): events are missing"
                } else if previous != state.hash {
                    "it names previous hash \(previous?.hexString ?? "none"), but the event before it hashes to \(state.hash?.hexString ?? "none")"
                } else if hash != expected {
                    "its content hashes to \(expected.hexString), not the recorded \(hash.hexString): it was altered"
                } else {
                    nil
                }
            if let reason {
                report.breaks.append(.init(stream: stream, version: version, reason: reason))
                state.broken = true
            } else {
                state.version = version
                state.hash = hash
            }
            current = state
        }
        if let current { finish(current) }
        // Heads left over have no events at all.
        for (stream, head) in heads.sorted(by: { $0.key < $1.key }) where head.version > 0 {
            report.streams += 1
            report.breaks.append(.init(stream: stream, version: head.version,
                                       reason: "the stream's head says version \(head.version), but it has no events"))
        }
        report.breaks.sort { $0.stream < $1.stream }
        return report
    }

    private func streamHeads(_ filter: String?) async throws -> [String: (version: Int64, hash: [UInt8]?)] {
        let rows = try await client.query(
            "SELECT stream_id, version, last_hash FROM streams WHERE \(filter)::text IS NULL OR stream_id = \(filter)",
            logger: logger
        )
        var heads: [String: (version: Int64, hash: [UInt8]?)] = [:]
        for try await (stream, version, hash) in rows.decode((String, Int64, Data?).self) {
            heads[stream] = (version, hash.map { [UInt8]($0) })
        }
        return heads
    }
}
