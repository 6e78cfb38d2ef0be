import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import ZhengsheStore

/// `zhengshe-bench store`: single-event appends through the event store, without HTTP.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Append single events through the event store and report events/s and latency.",
        discussion: """
            Starts a throwaway, durable (fsync on) embedded cluster in a temporary folder of its own and \
            removes it after: the benchmark never writes to a database it did not create (the log is \
            append-only, so its streams could never be removed). Each client appends to streams of its \
            own with exact expected versions.
            """
    )

    @Option(help: "Events to append in all.") var events = 5000
    @Option(help: "Concurrent clients.") var clients = 1
    @Flag(inversion: .prefixedNo, help: "Group concurrent appends into one transaction, as serve does.") var groupCommit = true
    @Option(help: "Group commit: batches recorded at once.") var concurrentBatches = GroupCommit.default.concurrentBatches

    func run() async throws {
        let logger = Logger.bench()
        let directory = FileManager.default.temporaryDirectory.path + "/zhengshe-bench-\(getpid())"
        let cluster = try await BenchCluster.create(directory: directory, logger: logger)
        let configuration = cluster.clientConfiguration(database: "bench")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clients = max(1, self.clients)
        let perClient = max(1, events / clients)
        do {
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let measured = try await client.withRunning { client in
                try await Migrator(client: client, logger: logger).migrate()
                let store = PostgresEventStore(client: client, logger: logger, groupCommit: groupCommit ? GroupCommit(concurrentBatches: concurrentBatches) : nil)
                return try await CPUMeter().measure({ try await Self.measure(store: store, clients: clients, perClient: perClient) },
                                                    operations: { _ in Double(clients * perClient) })
            }
            try await cluster.stop()
            let total = clients * perClient
            print("store append, 1 event per append, \(clients) client(s), \(total) events, fsync on")
            let (result, cpu) = measured
            print(String(format: "  %.0f events/s   p50 %.2f ms   p99 %.2f ms", Double(total) / result.seconds, result.p50 * 1000, result.p99 * 1000)
                  + (result.appendsPerBatch.map { String(format: "   %.1f appends a batch", $0) } ?? "   (group commit off)"))
            print("  CPU: " + cpu.line("–"))
        } catch {
            try? await cluster.stop()
            throw error
        }
    }

    struct Measurement { var seconds: Double; var p50: Double; var p99: Double; var appendsPerBatch: Double? }

    static func measure(store: PostgresEventStore, clients: Int, perClient: Int) async throws -> Measurement {
        let metadata = EventMetadata(actor: "bench", role: "system")
        let data = Data(#"{"item":"A01","period":"2026-03","values":{"visits":12}}"#.utf8)
        let counted = store.groupCommitCounts
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for n in 0..<clients {
                group.addTask {
                    let stream = try StreamID(category: "bench", id: "\(n)-\(UUID().uuidString.lowercased())")
                    var latencies: [Double] = []
                    latencies.reserveCapacity(perClient)
                    for version in 0..<perClient {
                        let event = NewEvent(type: "DutyReported", occurredAt: Date(), data: data, metadata: metadata)
                        let t0 = ContinuousClock.now
                        try await store.append(to: stream, expected: .exactly(Int64(version)), events: [event])
                        latencies.append((ContinuousClock.now - t0).seconds)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.sorted()
        }
        let seconds = (ContinuousClock.now - started).seconds
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        var perBatch: Double?
        if let before = counted, let after = store.groupCommitCounts, after.batches > before.batches {
            perBatch = Double(after.appends - before.appends) / Double(after.batches - before.batches)
        }
        return Measurement(seconds: seconds, p50: percentile(0.5), p99: percentile(0.99), appendsPerBatch: perBatch)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
