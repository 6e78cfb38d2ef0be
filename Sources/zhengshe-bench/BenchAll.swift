import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import ZhengsheDemo
import ZhengsheDomain
import ZhengsheStore

/// `zhengshe-bench all`: every figure of the performance table, each beside a baseline measured
/// in the same run on the same cluster. A benchmark, not a test: it asserts nothing about time.
struct BenchAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every measurement on a throwaway durable cluster; print a table and write JSON.",
        discussion: "Needs pgbench and wrk (deploy/setup.sh installs both)."
    )

    @Option(help: "Committees in the city-year that is bulk-loaded and read.") var committees = 1000
    @Option(help: "Seconds per load run.") var seconds = 8
    @Option(help: "Where to write the figures as JSON.") var output = "bench-results/latest.json"
    @Option(help: "HTTP port for the service under test.") var port = 18_080

    func run() async throws {
        let logger = Logger.bench()
        let tools = try BenchTools.locate()
        let directory = "/tmp/zhengshe-bench-\(getpid())"
        let cluster = try await BenchCluster.create(directory: directory, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var results = BenchResults(machine: BenchResults.Machine.current())
        do {
            let configuration = cluster.clientConfiguration(database: "bench")
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            try await client.withRunning { client in
                try await Migrator(client: client, logger: logger).migrate()
                let store = PostgresEventStore(client: client, logger: logger)
                let pgbench = PGBench(path: tools.pgbench, url: cluster.url(database: "bench"), seconds: seconds)
                try await pgbench.prepare(client: client, logger: logger)

                say("baseline: pgbench single-row INSERT, 1/8/32 clients; 100-row batches")
                for clients in [1, 8, 32] { results.insertBaseline[clients] = try await pgbench.run(script: .singleRow, clients: clients) }
                results.batchBaseline = try await pgbench.run(script: .batch100, clients: 8)

                say("event store: single-event appends, 1/8/32 clients, with group commit and without")
                let alone = PostgresEventStore(client: client, logger: logger, groupCommit: nil)
                for clients in [1, 8, 32] {
                    let perClient = max(50, Int(Double((results.insertBaseline[clients]?.perSecond ?? 1000) * Double(seconds)) * 0.25) / clients)
                    let (m, cpu) = try await CPUMeter().measure({ try await BenchStore.measure(store: store, clients: clients, perClient: perClient) },
                                                               operations: { _ in Double(clients * perClient) })
                    results.store[clients] = .init(perSecond: Double(clients * perClient) / m.seconds, p50: m.p50 * 1000, p99: m.p99 * 1000, cpu: cpu)
                    if let batching = m.appendsPerBatch { results.appendsPerBatch[clients] = batching }
                    let a = try await BenchStore.measure(store: alone, clients: clients, perClient: perClient)
                    results.storeAlone[clients] = .init(perSecond: Double(clients * perClient) / a.seconds, p50: a.p50 * 1000, p99: a.p99 * 1000)
                }

                say("bulk load: a city-year of \(committees) committees through the deciders")
                // One street or town a district, as large as the biggest: the street's read covers
                // all of a district's committees.
                let plan = CityPlan(committees: committees, streetsPerDistrict: 1, year: LocalDate(Date()).year)
                results.committeesPerStreet = plan.committeesPerStreet
                let (summary, bulkCPU) = try await CPUMeter().measure({ try await CityGenerator(plan: plan, store: store, logger: logger).run() },
                                                                      operations: { Double($0.events) })
                results.bulkLoad = .init(events: summary.events, seconds: summary.seconds, perSecond: summary.eventsPerSecond, refused: summary.refused, cpu: bulkCPU)

                let fixture = try await HTTPFixture.prepare(client: client, store: store, plan: plan, logger: logger)
                say("read side: zhengshe serve builds every projection over the city-year")
                let events = try await ReadSideProbe.eventCount(client, logger: logger)
                let started = ContinuousClock.now
                var server = try ServerProcess.start(port: port, databaseURL: cluster.url(database: "bench"))
                defer { server.stop() }
                try await server.waitUntilReady()
                try await ReadSideProbe.waitUntilVisible(client, logger: logger)
                let built = (ContinuousClock.now - started).seconds
                results.readSideBuild = .init(events: events, seconds: built, perSecond: Double(events) / built, refused: 0)

                let wrk = WRK(path: tools.wrk, base: "http://127.0.0.1:\(port)", seconds: seconds, servePID: server.process.processIdentifier)
                say("warm-up: reading every agreement once")
                let warmUp = WRK(path: tools.wrk, base: wrk.base, seconds: max(seconds, 2 * committees / 100 + 5), servePID: wrk.servePID)
                results.coldReads = try warmUp.run(script: fixture.warmUpScript(), connections: 2)
                say("HTTP filings from wrk, 1/8/32 connections; the projections' lag sampled at 8")
                for clients in [1, 8, 32] {
                    let sampler = clients == 8 ? Task { await ReadSideProbe.sampleLag(client, logger: logger) } : nil
                    results.http[clients] = try await offThread { try wrk.run(script: fixture.filingScript(), connections: clients) }
                    sampler?.cancel()
                    if let sampler { results.lagSeconds = await sampler.value }
                    results.serveRSSMegabytes = max(results.serveRSSMegabytes, server.peakRSSMegabytes())
                }
                say("stream length: filings on a 10-event against a 1,000-event stream")
                results.shortStream = try wrk.run(script: fixture.singleStreamScript(fixture.short), connections: 1)
                results.longStream = try wrk.run(script: fixture.singleStreamScript(fixture.long), connections: 1)
                say("reads: GET an agreement on the loaded city-year")
                results.reads = try wrk.run(script: fixture.readScript(), connections: 8)
                try await ReadSideProbe.waitUntilVisible(client, logger: logger)
                say("reads: a committee's and a street's obligations on the loaded city-year")
                results.committeeObligations = try wrk.run(script: fixture.obligationsScript(plan: plan, street: false), connections: 8)
                results.governmentObligations = try wrk.run(script: fixture.obligationsScript(plan: plan, street: true), connections: 8)
                results.serveRSSMegabytes = max(results.serveRSSMegabytes, server.peakRSSMegabytes())
                say("two-way reports of every district and the survey frames, as the API makes them")
                results.reports = try await BenchReports.measure(client: client, store: store, districts: plan.districtCodes, year: plan.year, rounds: 3, logger: logger)

                say("HTTP filings at 8 connections on zhengshe serve --no-projections")
                server.stop()
                server = try ServerProcess.start(port: port, databaseURL: cluster.url(database: "bench"), projections: false)
                try await server.waitUntilReady()
                let (again, warmUpAgain) = (wrk.serving(server), warmUp.serving(server))
                // As long a warm-up as the first serve had: filings on agreements it has not read
                // yet would fold their whole streams first.
                _ = try warmUpAgain.run(script: fixture.warmUpScript(), connections: 2)
                results.httpWithoutProjections = try again.run(script: fixture.filingScript(), connections: 8)
            }
            try await cluster.stop()
        } catch {
            try? await cluster.stop()
            throw error
        }
        say(results.table())
        let url = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try results.json().write(to: url)
        say("Figures written to \(output).")
    }
}

struct BenchTools {
    var pgbench: String
    var wrk: String

    static func locate() throws -> BenchTools {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).map { "/usr/lib/postgresql/\($0)/bin" }
        func find(_ name: String) throws -> String {
            guard let dir = path.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) else {
                throw ValidationError("\(name) was not found: run deploy/setup.sh")
            }
            return "\(dir)/\(name)"
        }
        return BenchTools(pgbench: try find("pgbench"), wrk: try find("wrk"))
    }
}

/// Runs a program to its end and returns what it printed.
func runProgram(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let outputPath = NSTemporaryDirectory() + "zhengshe-bench-\(UUID().uuidString).out"
    FileManager.default.createFile(atPath: outputPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    process.waitUntilExit()
    try handle.close()
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    guard process.terminationStatus == 0 else {
        throw ValidationError("\((path as NSString).lastPathComponent) failed (\(process.terminationStatus)):\n\(text)")
    }
    return text
}

/// A line on standard output at once, even when it is a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
