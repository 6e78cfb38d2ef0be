import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import ZhengsheAPI
import ZhengsheApplication
import ZhengsheDemo
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore

/// `zhengshe-bench reports`: the city-year's two-way report (JSON, CSV, HTML) and the survey
/// frame, each made exactly as the API makes it, beside the time to read the rows of the
/// projections the report reads.
struct BenchReports: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Bulk-load a city-year in one district, build the read side, then time the two-way report in each format and the survey frame."
    )

    @Option(help: "Committees in the city-year (all in one district, so that one report covers them all).") var committees = 1000
    @Option(help: "Rounds of each measurement; the median is reported.") var rounds = 5
    @Flag(help: "Leave the cluster running and its folder in place afterwards, and print its URL (to study the queries).") var keep = false

    func run() async throws {
        let logger = Logger.bench()
        let directory = "/tmp/zhengshe-bench-\(getpid())"
        let cluster = try await BenchCluster.create(directory: directory, logger: logger)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        do {
            var configuration = cluster.clientConfiguration(database: "bench")
            // As `serve` sets its sessions (Database.sessionSettings).
            configuration.options.additionalStartupParameters += [("work_mem", "32MB"), ("jit", "off")]
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            try await client.withRunning { client in
                try await Migrator(client: client, logger: logger).migrate()
                let store = PostgresEventStore(client: client, logger: logger)
                let plan = CityPlan(committees: committees, districts: 1, year: LocalDate(Date()).year)
                let summary = try await CityGenerator(plan: plan, store: store, logger: logger).run()
                say(String(format: "bulk load of the city-year: %d events in %.1f s (%d committees in one district)", summary.events, summary.seconds, plan.committeeCount))
                for projection in Projections.all {
                    var runner = ProjectionRunner(projection: projection, store: store, logger: logger)
                    runner.buildBatchesPerWakeUp = .max
                    try await client.withConnection { connection in try await runner.catchUp(on: connection) }
                }
                // Statistics for the tables just filled, and no autovacuum starting under the first figures.
                try await client.query("VACUUM (ANALYZE)", logger: logger)
                let figures = try await Self.measure(client: client, store: store, districts: plan.districtCodes, year: plan.year, rounds: rounds, logger: logger)
                say(figures.table())
            }
            if keep {
                say("The cluster keeps running: \(cluster.url(database: "bench"))")
                return
            }
            try await cluster.stop()
        } catch {
            try? await cluster.stop()
            throw error
        }
    }

    struct Figures: Codable {
        var agreements = 0
        /// Seconds for the whole city (every district once), the median of the rounds.
        var rows = 0.0
        var rowCount = 0
        var json = 0.0, csv = 0.0, html = 0.0, frame = 0.0
        var jsonBytes = 0, csvBytes = 0, htmlBytes = 0, frameBytes = 0
        /// Where a report's time goes: each read of the read side alone, the report computed
        /// (reads in parallel, scoring), and each rendering of it.
        var breakdown: [String: Double] = [:]

        func table() -> String {
            func line(_ what: String, _ seconds: Double, _ bytes: Int) -> String {
                String(format: "%@ %7.3f s  %6.2f × the rows' read  %9d bytes", what.padding(toLength: 40, withPad: " ", startingAt: 0), seconds, seconds / max(rows, 0.000_001), bytes)
            }
            return [
                "",
                "two-way report of the city-year (\(agreements) agreements), made as the API makes it",
                String(format: "%@ %7.3f s  (baseline: %d rows of the projections the report reads)", "read the projections' rows".padding(toLength: 40, withPad: " ", startingAt: 0), rows, rowCount),
                line("report as JSON", json, jsonBytes),
                line("report as CSV", csv, csvBytes),
                line("report as HTML", html, htmlBytes),
                line("survey frame as CSV", frame, frameBytes),
                "where a report's time goes (seconds, each part alone): "
                    + breakdown.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }.joined(separator: ", "),
            ].joined(separator: "\n")
        }
    }

    /// Every district's report once per round, in each format; the rows' read as the baseline.
    static func measure(client: PostgresClient, store: PostgresEventStore, districts: [PartyCode], year: Int, rounds: Int, logger: Logger) async throws -> Figures {
        let services = ApplicationServices(store: store, tokens: TokenStore(client: client, logger: logger), logger: logger)
        let admin = Actor(name: "bench", role: .admin, party: nil)
        var figures = Figures()
        func median(_ body: () async throws -> Int) async throws -> (Double, Int) {
            var times: [Double] = []
            var size = 0
            for _ in 0..<max(rounds, 1) {
                let started = ContinuousClock.now
                size = try await body()
                times.append((ContinuousClock.now - started).seconds)
            }
            return (times.sorted()[times.count / 2], size)
        }
        (figures.rows, figures.rowCount) = try await median {
            var count = 0
            for table in ["obligation_agreements", "obligation_terms_in_force", "obligation_terms", "obligation_reports_due", "obligation_report_filings",
                          "obligation_guidance", "funding_agreements", "funding_terms_in_force", "funding_installments", "funding_transfers",
                          "funding_claims", "register_claims", "register_refusals"]
            {
                let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT * FROM projections.\(table)"), logger: logger)
                for try await _ in rows { count += 1 }
            }
            return count
        }
        for format in TwoWayDocuments.Format.allCases {
            let (seconds, bytes) = try await median {
                var bytes = 0
                for district in districts {
                    let report = try await services.twoWay.report(district: district.rawValue, year: year, for: admin)
                    if format == .json { figures.agreements = report.agreements.count }
                    bytes += try TwoWayDocuments.render(report, as: format).count
                }
                return bytes
            }
            switch format {
            case .json: (figures.json, figures.jsonBytes) = (seconds, bytes)
            case .csv: (figures.csv, figures.csvBytes) = (seconds, bytes)
            case .html: (figures.html, figures.htmlBytes) = (seconds, bytes)
            }
        }
        // Each part alone, for every district.
        let reports = ReportObligations(client: client, logger: logger)
        let ledger = FundingLedger(client: client, logger: logger)
        let registers = Registers(client: client, logger: logger)
        func part(_ name: String, _ body: (FundingLedger.Scope, LocalDate, Date) async throws -> Int) async throws {
            let (seconds, _) = try await median {
                var n = 0
                for district in districts { n += try await body(.district(district.rawValue), LocalDate(year: year, month: 12, day: 31)!, Date()) }
                return n
            }
            figures.breakdown[name] = seconds
        }
        try await part("read.ledger") { try await ledger.lines($0, year: year, asOf: $1.description, knownAt: $2).count }
        try await part("read.commitments") { try await reports.commitments($0, year: year, asOf: $1, knownAt: $2).commitments.count }
        try await part("read.claims") { try await registers.claims($0, year: year, asOf: $1, knownAt: $2).count }
        try await part("read.refusals") { try await registers.refusals($0, year: year, asOf: $1, knownAt: $2).count }
        try await part("read.scoringRecords") { try await reports.scoringRecords($0, year: year, asOf: $1, knownAt: $2).count }
        var computed: [TwoWayReports.Report] = []
        (figures.breakdown["report"], _) = try await median {
            computed = []
            for district in districts { computed.append(try await services.twoWay.report(district: district.rawValue, year: year, for: admin)) }
            return 0
        }
        for format in TwoWayDocuments.Format.allCases {
            (figures.breakdown["render.\(format.rawValue)"], _) = try await median {
                try computed.reduce(0) { $0 + (try TwoWayDocuments.render($1, as: format).count) }
            }
        }
        (figures.frame, figures.frameBytes) = try await median {
            var bytes = 0
            for district in districts {
                bytes += try TwoWayDocuments.frame(try await services.twoWay.frame(district: district.rawValue, year: year, for: admin), as: .csv).count
            }
            return bytes
        }
        return figures
    }
}
