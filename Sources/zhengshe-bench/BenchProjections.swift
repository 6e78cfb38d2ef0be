import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import ZhengsheDemo
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore

/// `zhengshe-bench projections`: the city-year bulk-loaded, then every projection built from the
/// first event, each rate beside the bulk load's from the same run.
struct BenchProjections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Bulk-load a city-year, then build every projection from the first event; events/s against the bulk load's."
    )

    @Option(help: "Committees in the city-year.") var committees = 1000

    func run() async throws {
        let logger = Logger.bench()
        let directory = "/tmp/zhengshe-bench-\(getpid())"
        let cluster = try await BenchCluster.create(directory: directory, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let client = PostgresClient(configuration: cluster.clientConfiguration(database: "bench"), backgroundLogger: logger)
            try await client.withRunning { client in
                try await Migrator(client: client, logger: logger).migrate()
                let store = PostgresEventStore(client: client, logger: logger)
                let plan = CityPlan(committees: committees, year: LocalDate(Date()).year)
                let summary = try await CityGenerator(plan: plan, store: store, logger: logger).run()
                say(String(format: "bulk load of the city-year: %d events in %.1f s, %.0f events/s (%d refused)", summary.events, summary.seconds, summary.eventsPerSecond, summary.refused))
                let generations = ProjectionGenerations(client: client, logger: logger)
                var total = 0.0
                for projection in Projections.all {
                    var runner = ProjectionRunner(projection: projection, store: store, logger: logger)
                    runner.buildBatchesPerWakeUp = .max
                    let started = ContinuousClock.now
                    try await client.withConnection { connection in try await runner.catchUp(on: connection) }
                    let seconds = (ContinuousClock.now - started).seconds
                    total += seconds
                    let live = try await generations.list(projection.name).first { $0.status == .live }
                    say(String(format: "build of %@ from the first event: %.1f s, %.0f events/s (%.2f of the bulk load), %lld events applied",
                               projection.name, seconds, Double(summary.events) / seconds, Double(summary.events) / seconds / summary.eventsPerSecond,
                               live?.eventsApplied ?? 0))
                }
                say(String(format: "all %d projections: %.1f s, %.0f events/s each on average (%.2f of the bulk load)",
                           Projections.all.count, total, Double(summary.events * Projections.all.count) / total,
                           Double(summary.events * Projections.all.count) / total / summary.eventsPerSecond))
            }
            try await cluster.stop()
        } catch {
            try? await cluster.stop()
            throw error
        }
    }
}
