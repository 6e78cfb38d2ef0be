import Foundation

/// Every figure of one benchmark run, with the baselines measured in the same run.
struct BenchResults: Codable {
    struct Machine: Codable {
        var cores: Int
        var memoryGiB: Double
        var os: String

        static func current() -> Machine {
            Machine(cores: ProcessInfo.processInfo.activeProcessorCount,
                    memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                    os: ProcessInfo.processInfo.operatingSystemVersionString)
        }
    }
    struct BulkLoad: Codable {
        var events: Int
        var seconds: Double
        var perSecond: Double
        var refused: Int
        /// Where the load's CPU went, per event.
        var cpu: CPUShare?
    }

    var machine: Machine
    var date = ISO8601DateFormatter().string(from: Date())
    var insertBaseline: [Int: RunFigures] = [:]
    var batchBaseline: RunFigures?
    var store: [Int: RunFigures] = [:]
    /// The same appends with each in a transaction of its own (no group commit).
    var storeAlone: [Int: RunFigures] = [:]
    /// Appends per batch of the group commit, in the store runs.
    var appendsPerBatch: [Int: Double] = [:]
    var http: [Int: RunFigures] = [:]
    var bulkLoad: BulkLoad?
    var shortStream: RunFigures?
    var longStream: RunFigures?
    var reads: RunFigures?
    /// Reads of agreements not yet in the service's state cache (folded from the whole stream).
    var coldReads: RunFigures?
    var serveRSSMegabytes = 0.0
    /// Every projection built over the city-year by `zhengshe serve` from its start.
    var readSideBuild: BulkLoad?
    /// Seconds from an event's recording to its being visible in every projection, sampled while
    /// HTTP filings ran at 8 clients.
    var lagSeconds: [Double] = []
    /// HTTP filings at 8 clients on a `zhengshe serve --no-projections`.
    var httpWithoutProjections: RunFigures?
    var committeeObligations: RunFigures?
    var governmentObligations: RunFigures?
    var committeesPerStreet = 0
    /// The two-way reports of the whole city-year (every district once) and the survey frames.
    var reports: BenchReports.Figures?

    func table() -> String {
        func rate(_ f: RunFigures?) -> String { f.map { String(format: "%8.0f/s", $0.perSecond) } ?? "       –" }
        func ms(_ v: Double?) -> String { v.map { String(format: "%6.2f", $0) } ?? "     –" }
        func ratio(_ a: RunFigures?, _ b: RunFigures?) -> String {
            guard let a, let b, b.perSecond > 0 else { return "   –" }
            return String(format: "%4.2f", a.perSecond / b.perSecond)
        }
        var lines = [
            "",
            "Zhengshe benchmark \(date), \(machine.cores) cores, \(machine.memoryGiB) GiB, PostgreSQL fsync on",
            "figure                              clients      rate   p50 ms  p99 ms   baseline   ratio",
        ]
        for clients in [1, 8, 32] {
            let base = insertBaseline[clients]
            lines.append("HTTP filing, 1 event                 \(String(format: "%5d", clients)) \(rate(http[clients]))  \(ms(http[clients]?.p50))  \(ms(http[clients]?.p99))  \(rate(base))    \(ratio(http[clients], base))"
                         + ((http[clients]?.errors ?? 0) > 0 ? "  (\(http[clients]!.errors) non-2xx)" : ""))
        }
        for clients in [1, 8, 32] {
            let base = insertBaseline[clients]
            lines.append("store append, 1 event                \(String(format: "%5d", clients)) \(rate(store[clients]))  \(ms(store[clients]?.p50))  \(ms(store[clients]?.p99))  \(rate(base))    \(ratio(store[clients], base))"
                         + (appendsPerBatch[clients].map { String(format: "   (%.1f appends a batch)", $0) } ?? ""))
        }
        for clients in [1, 8, 32] where storeAlone[clients] != nil {
            lines.append("store append, group commit off       \(String(format: "%5d", clients)) \(rate(storeAlone[clients]))  \(ms(storeAlone[clients]?.p50))  \(ms(storeAlone[clients]?.p99))  \(rate(store[clients]))    \(ratio(storeAlone[clients], store[clients]))   (baseline: group commit on)")
        }
        for clients in [1, 8, 32] {
            if let cpu = insertBaseline[clients]?.cpu { lines.append("CPU per pgbench INSERT               \(String(format: "%5d", clients))   \(cpu.line("pgbench"))") }
            if let cpu = store[clients]?.cpu { lines.append("CPU per store append                 \(String(format: "%5d", clients))   \(cpu.line("–"))") }
            if let cpu = http[clients]?.cpu { lines.append("CPU per HTTP filing                  \(String(format: "%5d", clients))   \(cpu.line("wrk"))") }
        }
        if let bulkLoad {
            let bulk = RunFigures(perSecond: bulkLoad.perSecond)
            lines.append("bulk load of the city-year               \(rate(bulk))                   \(rate(batchBaseline))    \(ratio(bulk, batchBaseline))   (\(bulkLoad.events) events, \(bulkLoad.refused) refused)")
            if let cpu = batchBaseline?.cpu { lines.append("CPU per row of 100-row INSERTs           8   \(cpu.line("pgbench"))") }
            if let cpu = bulkLoad.cpu { lines.append("CPU per bulk-loaded event                8   \(cpu.line("–"))") }
        }
        lines.append("filing on a 1,000-event stream           1 \(rate(longStream))  \(ms(longStream?.p50))  \(ms(longStream?.p99))  \(rate(shortStream))    \(ratio(longStream, shortStream))   (baseline: 10-event stream)")
        lines.append("read an agreement (GET), warm            8 \(rate(reads))  \(ms(reads?.p50))  \(ms(reads?.p99))")
        lines.append("read an agreement (GET), first time      2 \(rate(coldReads))  \(ms(coldReads?.p50))  \(ms(coldReads?.p99))   (folds the whole stream)")
        if let build = readSideBuild, let bulkLoad {
            let built = RunFigures(perSecond: build.perSecond)
            lines.append("read side built over the city-year        \(rate(built))                   \(rate(RunFigures(perSecond: bulkLoad.perSecond)))    \(ratio(built, RunFigures(perSecond: bulkLoad.perSecond)))   (all projections, \(String(format: "%.1f", build.seconds)) s; baseline: the bulk load)")
        }
        let without = httpWithoutProjections
        lines.append("HTTP filing with the projectors running  8 \(rate(http[8]))  \(ms(http[8]?.p50))  \(ms(http[8]?.p99))  \(rate(without))    \(ratio(http[8], without))   (baseline: serve --no-projections)")
        if !lagSeconds.isEmpty {
            let sorted = lagSeconds.sorted()
            func at(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
            lines.append("projection lag, recorded → visible      8            \(ms(at(0.5)))  \(ms(at(0.99)))   (\(sorted.count) samples while filing at 8 clients; every projection)")
        }
        lines.append("a committee's obligations (GET)          8 \(rate(committeeObligations))  \(ms(committeeObligations?.p50))  \(ms(committeeObligations?.p99))")
        lines.append("a street's obligations (GET)             8 \(rate(governmentObligations))  \(ms(governmentObligations?.p50))  \(ms(governmentObligations?.p99))   (\(committeesPerStreet) committees a street)")
        if let reports { lines.append(reports.table()) }
        lines.append(String(format: "peak RSS of serve during the runs: %.0f MB", serveRSSMegabytes))
        lines.append("baselines: pgbench single-row INSERT (same clients) into a table shaped like events; bulk: 100-row INSERTs, 8 clients")
        return lines.joined(separator: "\n")
    }

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
