import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ZhengsheApplication
import ZhengsheDemo
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheStore

#if canImport(Glibc)
import Glibc
#endif

/// One load run's figures.
struct RunFigures: Codable {
    var perSecond: Double
    /// Milliseconds.
    var p50: Double?
    var p99: Double?
    var errors: Int = 0
    /// Where the run's CPU went, per request, when it was measured.
    var cpu: CPUShare?
}

/// pgbench against a table shaped like `events`, with the same indexes and no store logic.
struct PGBench {
    enum Script { case singleRow, batch100 }
    let path: String
    let url: String
    let seconds: Int

    func prepare(client: PostgresClient, logger: Logger) async throws {
        try await client.query("DROP TABLE IF EXISTS bench_baseline", logger: logger)
        try await client.query("CREATE TABLE bench_baseline (LIKE events INCLUDING ALL)", logger: logger)
    }

    func run(script: Script, clients: Int) async throws -> RunFigures {
        let values = """
            'bench-' || gen_random_uuid(), 1, gen_random_uuid(), 'GuidanceGiven',
            '{"guidanceId":"g","kind":"visit","summary":"benchmark"}'::jsonb,
            '{"actor":"bench","party":"320402001","role":"government"}'::jsonb, now(), now(), sha256(random()::text::bytea)
            """
        let columns = "stream_id, stream_version, event_id, event_type, data, metadata, occurred_at, recorded_at, hash"
        let sql =
            switch script {
            case .singleRow: "INSERT INTO bench_baseline (\(columns)) VALUES (\(values));"
            case .batch100: "INSERT INTO bench_baseline (\(columns)) SELECT \(values) FROM generate_series(1, 100);"
            }
        let file = NSTemporaryDirectory() + "zhengshe-pgbench-\(UUID().uuidString).sql"
        try sql.replacingOccurrences(of: "\n", with: " ").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        // -t (a count), not -T (a duration): pgbench times -T with SIGALRM, which a child of this
        // process may inherit blocked, and would then run for ever. A short run sizes the real one.
        func pgbench(transactions: Int) throws -> String {
            try runProgram(path, ["-n", "-c", "\(clients)", "-j", "\(min(clients, 2))", "-t", "\(transactions)", "-f", file, url])
        }
        let probe = Self.number(after: "tps = ", in: try pgbench(transactions: script == .batch100 ? 20 : 200)) ?? 1000
        let transactions = max(50, Int(probe * Double(seconds)) / clients)
        let rows = script == .batch100 ? 100 : 1
        let (output, cpu) = try CPUMeter().measure({ try pgbench(transactions: transactions) }, operations: { _ in Double(transactions * clients * rows) })
        let tps = Self.number(after: "tps = ", in: output) ?? 0
        let latency = Self.number(after: "latency average = ", in: output)
        return RunFigures(perSecond: script == .batch100 ? tps * 100 : tps, p50: latency, p99: nil, cpu: cpu)
    }

    static func number(after marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        return Double(text[range.upperBound...].drop { $0 == " " || $0 == "\t" }.prefix { $0.isNumber || $0 == "." })
    }
}

/// wrk from a separate process, with a Lua script that makes each request.
struct WRK {
    let path: String
    let base: String
    let seconds: Int
    /// The service under load, whose CPU each run measures beside PostgreSQL's and wrk's.
    var servePID: Int32?

    /// The same load against another service process.
    func serving(_ server: ServerProcess) -> WRK {
        WRK(path: path, base: base, seconds: seconds, servePID: server.process.processIdentifier)
    }

    func run(script: String, connections: Int) throws -> RunFigures {
        let file = NSTemporaryDirectory() + "zhengshe-wrk-\(UUID().uuidString).lua"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let arguments = ["-t", "\(min(connections, 2))", "-c", "\(connections)", "-d", "\(seconds)s", "--latency", "-s", file, base]
        let (output, cpu) = try CPUMeter(servePID: servePID).measure({ try runProgram(path, arguments) }, operations: {
            // "  12345 requests in 4.00s, 3.21MB read"
            $0.split(separator: "\n").first { $0.contains(" requests in ") }
                .flatMap { Double($0.split(separator: " ").first ?? "") } ?? 0
        })
        func latency(_ percentile: String) -> Double? {
            guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(percentile + " ") }) else { return nil }
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            let number = Double(value.prefix { $0.isNumber || $0 == "." }) ?? 0
            if value.hasSuffix("us") { return number / 1000 }
            if value.hasSuffix("ms") { return number }
            if value.hasSuffix("s") { return number * 1000 }
            return nil
        }
        let errors = Int(PGBench.number(after: "Non-2xx or 3xx responses: ", in: output) ?? 0)
        let rate = PGBench.number(after: "Requests/sec:", in: output)
        return RunFigures(perSecond: rate ?? 0, p50: latency("50%"), p99: latency("99%"), errors: errors, cpu: cpu)
    }
}

/// Tokens and agreements for the HTTP runs, on the loaded city-year.
struct HTTPFixture {
    var targets: [(path: String, token: String)]
    var short: (path: String, token: String)
    var long: (path: String, token: String)
    var adminToken: String
    var occurredAt: String

    static func prepare(client: PostgresClient, store: PostgresEventStore, plan: CityPlan, logger: Logger) async throws -> HTTPFixture {
        let tokens = TokenStore(client: client, logger: logger)
        var targets: [(String, String)] = []
        for district in plan.districtCodes {
            for street in plan.streets(in: district) {
                let token = try await tokens.create(name: "bench \(street)", role: "government", party: street.rawValue).secret
                for committee in plan.committees(in: street) { targets.append(("/v1/agreements/\(committee)-\(plan.year)/events", token)) }
            }
        }
        // Two agreements of their own under a street the city does not use: 10 and 1,000 events long.
        let district = plan.districtCodes[0]
        let street = PartyCode(district.rawValue + "099")!
        let generator = CityGenerator(plan: plan, store: store, logger: logger)
        let catalogue = generator.catalogue(for: district)
        let token = try await tokens.create(name: "bench \(street)", role: "government", party: street.rawValue).secret
        let at = Date().addingTimeInterval(-120)
        var paths: [String] = []
        for (n, guidance) in [(1, 5), (2, 995)] {
            let committee = PartyCode(street.rawValue + String(format: "%03d", n))!
            let events = try generator.agreementInEffect(committee: committee, catalogue: catalogue, guidance: guidance, at: at)
            try await BulkFiling.append(events, to: try StreamID(AgreementID(committee: committee, year: plan.year)!.stream), store: store)
            paths.append("/v1/agreements/\(committee)-\(plan.year)/events")
        }
        let formatter = ISO8601DateFormatter()
        return HTTPFixture(
            targets: targets, short: (paths[0], token), long: (paths[1], token),
            adminToken: try await tokens.create(name: "bench admin", role: "admin", party: "").secret,
            occurredAt: formatter.string(from: Date().addingTimeInterval(-60)))
    }

    private func luaTargets(_ targets: [(path: String, token: String)]) -> String {
        "local targets = {\n" + targets.map { "  {\"\($0.path)\", \"Bearer \($0.token)\"}," }.joined(separator: "\n") + "\n}\n"
    }

    /// Each request files a GuidanceGiven with a fresh id on an agreement picked at random.
    func filingScript(_ chosen: [(path: String, token: String)]? = nil) -> String {
        luaTargets(chosen ?? targets) + """
            local threads = {}
            function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
            local counter = 0
            function init(args) math.randomseed(tid * 7919 + os.time()) end
            function request()
              counter = counter + 1
              local t = targets[math.random(#targets)]
              local body = string.format('{"type":"GuidanceGiven","occurredAt":"\(occurredAt)","data":{"guidanceId":"bench-%d-%d-%d","kind":"visit","summary":"benchmark"}}', tid, counter, math.random(1000000000))
              return wrk.format("POST", t[1], {["Authorization"] = t[2], ["Content-Type"] = "application/json"}, body)
            end
            """
    }

    func singleStreamScript(_ target: (path: String, token: String)) -> String { filingScript([target]) }

    /// Reads every agreement once, in order, so the runs that follow meet the warm service a
    /// running deployment is, not one that has never seen the agreements.
    func warmUpScript() -> String {
        luaTargets(targets.map { (String($0.path.dropLast("/events".count)), "") }) + """
            local threads = {}
            function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
            local counter = 0
            function request()
              counter = counter + 1
              local t = targets[((counter * 2 + tid - 1) % #targets) + 1]
              return wrk.format("GET", t[1], {["Authorization"] = "Bearer \(adminToken)"})
            end
            """
    }

    /// Each request reads a committee's obligations (or its street's), picked at random, with its
    /// street's token.
    func obligationsScript(plan: CityPlan, street: Bool) -> String {
        var chosen: [(String, String)] = []
        for (path, token) in targets {
            let committee = path.split(separator: "/")[2].prefix(12)
            chosen.append(street ? ("/v1/governments/\(committee.prefix(9))/obligations?year=\(plan.year)", token) : ("/v1/committees/\(committee)/obligations?year=\(plan.year)", token))
        }
        if street { chosen = Array(Dictionary(chosen, uniquingKeysWith: { a, _ in a }).map { ($0.key, $0.value) }) }
        return luaTargets(chosen.map { (path: $0.0, token: $0.1) }) + """
            function init(args) math.randomseed(os.time()) end
            function request()
              local t = targets[math.random(#targets)]
              return wrk.format("GET", t[1], {["Authorization"] = t[2]})
            end
            """
    }

    /// Each request reads an agreement picked at random, as an admin.
    func readScript() -> String {
        luaTargets(targets.map { (String($0.path.dropLast("/events".count)), "") }) + """
            function init(args) math.randomseed(os.time()) end
            function request()
              local t = targets[math.random(#targets)]
              return wrk.format("GET", t[1], {["Authorization"] = "Bearer \(adminToken)"})
            end
            """
    }
}

/// `zhengshe serve` as a separate process, as users run it.
final class ServerProcess {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    static func start(port: Int, databaseURL: String, projections: Bool = true) throws -> ServerProcess {
        let process = Process()
        // The service under test is the `zhengshe` built beside this program (`swift build -c release`).
        let own = Bundle.main.executablePath.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.executableURL = own.deletingLastPathComponent().appendingPathComponent("zhengshe")
        guard FileManager.default.isExecutableFile(atPath: process.executableURL!.path) else {
            throw ValidationError("\(process.executableURL!.path) not found: build both programs first (swift build -c release)")
        }
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "\(port)", "--database-url", databaseURL] + (projections ? [] : ["--no-projections"])
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = "error"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return ServerProcess(process: process, port: port)
    }

    /// Waits until the server accepts connections (it listens only after migrating).
    func waitUntilReady() async throws {
        for _ in 0..<300 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            guard process.isRunning else { throw ValidationError("zhengshe serve exited early (\(process.terminationStatus))") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("zhengshe serve did not start listening on port \(port)")
    }

    /// The server's peak resident memory so far, from /proc (Linux).
    func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let kilobytes = PGBench.number(after: "VmHWM:", in: status)
        else { return 0 }
        return kilobytes / 1024
    }

    /// SIGINT for a graceful stop; SIGKILL if it has not ended within ten seconds.
    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        for _ in 0..<100 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// What the benchmark asks the database about the read side.
enum ReadSideProbe {
    static func eventCount(_ client: PostgresClient, logger: Logger) async throws -> Int {
        for try await count in try await client.query("SELECT count(*) FROM events", logger: logger).decode(Int.self) { return count }
        return 0
    }

    /// The last event recorded, and when.
    static func head(_ client: PostgresClient, logger: Logger) async throws -> (position: Int64, recordedAt: Date)? {
        let rows = try await client.query("SELECT global_position, recorded_at FROM events ORDER BY global_position DESC LIMIT 1", logger: logger)
        for try await row in rows.decode((Int64, Date).self) { return row }
        return nil
    }

    /// Whether every projection's live generation holds the event at `position`.
    static func visible(_ position: Int64, _ generations: ProjectionGenerations) async throws -> Bool {
        for projection in Projections.all where try await !generations.covers(projection.name, globalPosition: position) { return false }
        return true
    }

    /// Waits until every projection holds the last event recorded.
    static func waitUntilVisible(_ client: PostgresClient, logger: Logger) async throws {
        let generations = ProjectionGenerations(client: client, logger: logger)
        guard let head = try await head(client, logger: logger) else { return }
        while try await !visible(head.position, generations) { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// Until cancelled, five times a second: the last event recorded, and the seconds until every
    /// projection holds it.
    static func sampleLag(_ client: PostgresClient, logger: Logger) async -> [Double] {
        let generations = ProjectionGenerations(client: client, logger: logger)
        var samples: [Double] = []
        while !Task.isCancelled {
            do {
                if let head = try await head(client, logger: logger) {
                    while try await !visible(head.position, generations) { try await Task.sleep(for: .milliseconds(2)) }
                    samples.append(Date().timeIntervalSince(head.recordedAt))
                }
                try await Task.sleep(for: .milliseconds(200))
            } catch {
                break
            }
        }
        return samples
    }
}

/// Runs a blocking call (a load generator run to its end) on a thread of its own, so that the
/// tasks beside it keep theirs.
func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
