import EmbeddedPostgres
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The fault suite (issue 10): the built `zhengshe` driven from outside as a separate process, as
/// an operator and an attacker would, with figures printed. The promise under every fault: no
/// acknowledged filing lost, none recorded twice, every request answered, never a 500, and `serve`
/// stops on SIGTERM.
///
/// Each test runs its own `serve` on a demo street of 20 committees (320402001, 2026) and files
/// GuidanceGiven events whose ids are their idempotency keys, so that the log can be counted.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FaultSuiteTests {
    static let government = "320402001"
    static let demo = ["--demo", "--committees", "20", "--districts", "1", "--year", "2026"]

    static func report(_ line: String) { print("fault suite: \(line)") }

    /// "0.62 s".
    static func s(_ duration: Duration) -> String {
        let parts = duration.components
        return String(format: "%.2f s", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }

    /// Every filing of `load` is in the log exactly once; returns (lost, doubled).
    static func expectEachRecordedOnce(_ load: FilingLoad, port: Int) async throws -> (lost: Int, doubled: Int) {
        let counts = try await load.recorded(port: port)
        let keys = load.filings.map(\.key)
        let lost = keys.filter { counts[$0] == nil }
        let doubled = counts.filter { $0.value > 1 }
        let strangers = Set(counts.keys).subtracting(keys)
        #expect(lost.isEmpty, "\(lost.count) filings lost, e.g. \(lost.prefix(5))")
        #expect(doubled.isEmpty, "\(doubled.count) filings recorded more than once, e.g. \(doubled.prefix(5))")
        #expect(strangers.isEmpty, "recorded but never sent: \(strangers.prefix(5))")
        return (lost.count, doubled.count)
    }

    /// `kill -9` of serve and its embedded PostgreSQL under concurrent filings, twice; each time
    /// serve starts again at the first attempt on the cluster left behind (crash recovery), the
    /// unanswered filings are retried with their keys, and at the end every filing is recorded
    /// exactly once and every hash chain verifies.
    @Test func killNineUnderFilingsLosesAndDoublesNothing() async throws {
        var served = try await Served.start(arguments: Self.demo)
        defer { served.cleanUp() }
        let database = ["--data-dir", served.directory]
        let token = try await Served.token(["--role", "government", "--party", Self.government], database: database)
        let agreements = try await FilingLoad.agreements(port: served.port, government: Self.government, token: token, count: 20)
        let load = FilingLoad(prefix: "k9-\(UUID().uuidString.prefix(6).lowercased())", token: token, agreements: agreements)

        for round in 1...2 {
            load.resume()
            let before = load.figures
            let port = served.port
            let running = Task { await load.run(port: port, workers: 12) }
            defer { load.stop() }
            try await Task.sleep(for: .seconds(3))
            try await served.killHard()
            load.stop()
            await running.value
            let killed = load.figures
            // Nothing but 201 before the kill; after it, connections fail.
            #expect(load.unexpected.isEmpty, "round \(round): \(load.unexpected.prefix(5))")

            served = try await Served.start(directory: served.directory, within: .seconds(60))
            let retried = await load.retryUnacknowledged(port: served.port)
            Self.report(
                "kill -9 round \(round): \(killed.filings - before.filings) filings sent in 3 s by 12 clients, \(killed.byStatus[201, default: 0] - before.byStatus[201, default: 0]) acknowledged before the kill; "
                    + "serve with its cluster killed, started again in \(Self.s(served.startedIn)) (first attempt); \(retried) unacknowledged retried with their keys")
        }
        let figures = load.figures
        #expect(figures.byStatus.keys.sorted() == [201] && figures.unanswered == 0, "\(figures) \(figures.errors)")
        let (lost, doubled) = try await Self.expectEachRecordedOnce(load, port: served.port)
        let verify = try await Served.command(["verify"] + database)
        #expect(verify.status == 0, "verify: \(verify.output)")
        let stopped = try await served.stop()
        #expect(!served.process.isRunning && stopped < .seconds(10), "stopped in \(stopped)")
        Self.report("kill -9: \(figures.filings) filings in all, \(lost) lost, \(doubled) recorded twice; verify exit \(verify.status); SIGTERM stopped serve in \(Self.s(stopped))")
    }

    /// PostgreSQL restarted (fast) and then stopped for a while under concurrent filings: every
    /// request is answered (201, or 503 with the rule database-available), none with a 500; after
    /// the retries every filing is recorded exactly once; serve still stops on SIGTERM.
    @Test func databaseRestartsUnderFilingsAnswerEveryRequest() async throws {
        try await DatabaseOutageTests.withCluster(database: "faults") { cluster, _ in
            let url = cluster.url(database: "faults")
            let served = try await Served.start(["DATABASE_URL": url], arguments: Self.demo)
            defer { served.cleanUp() }
            let database = ["--database-url", url]
            let token = try await Served.token(["--role", "government", "--party", Self.government], database: database)
            let agreements = try await FilingLoad.agreements(port: served.port, government: Self.government, token: token, count: 20)
            let load = FilingLoad(prefix: "pg-\(UUID().uuidString.prefix(6).lowercased())", token: token, agreements: agreements)

            let running = Task { await load.run(port: served.port, workers: 8) }
            defer { load.stop() }
            try await Task.sleep(for: .seconds(2))
            // A fast restart, as an operator's `systemctl restart postgresql` does.
            try await cluster.stop()
            try await cluster.start()
            try await Task.sleep(for: .seconds(3))
            // Down for a while: answers must come at once, and say so.
            try await cluster.stop()
            let down = load.figures
            try await Task.sleep(for: .seconds(6))
            let whileDown = load.figures
            try await cluster.start()
            try await Task.sleep(for: .seconds(4))
            load.stop()
            await running.value
            let figures = load.figures

            #expect(figures.unanswered == 0, "unanswered: \(figures.errors)")
            let errors = served.output.split(separator: "\n").filter { $0.contains(" error ") || $0.contains("critical") }.suffix(10)
            #expect(load.unexpected.isEmpty, "answers other than 201 and 503: \(load.unexpected.prefix(5))\nserve's log:\n\(errors.joined(separator: "\n"))")
            #expect(figures.slowest < 35, "an answer took \(figures.slowest) s")
            let refusedWhileDown = whileDown.byStatus[503, default: 0] - down.byStatus[503, default: 0]
            #expect(refusedWhileDown > 8 * 6, "while the database was down for 6 s, 8 clients got only \(refusedWhileDown) answers")
            let retried = await load.retryUnacknowledged(port: served.port)
            let (lost, doubled) = try await Self.expectEachRecordedOnce(load, port: served.port)
            let verify = try await Served.command(["verify"] + database)
            #expect(verify.status == 0, "verify: \(verify.output)")
            let stopped = try await served.stop()
            #expect(!served.process.isRunning && stopped < .seconds(10), "stopped in \(stopped)")
            Self.report(
                "PostgreSQL restarted, then down 6 s, under 8 clients: \(figures); \(refusedWhileDown) answered 503 while it was down; "
                    + "\(retried) retried with their keys; \(lost) lost, \(doubled) recorded twice; verify exit \(verify.status); SIGTERM stopped serve in \(Self.s(stopped))")
        }
    }

    /// Three hundred idle connections held open (the service's default settings) while 8
    /// clients file: every filing is answered 201.
    @Test func filingsSucceedBesideHundredsOfIdleConnections() async throws {
        let served = try await Served.start(arguments: Self.demo)
        defer { served.cleanUp() }
        let token = try await Served.token(["--role", "government", "--party", Self.government], database: ["--data-dir", served.directory])
        let agreements = try await FilingLoad.agreements(port: served.port, government: Self.government, token: token, count: 20)
        var idle: [Int32] = []
        defer { for socket in idle { close(socket) } }
        for _ in 0..<300 {
            guard let socket = Served.connect(port: served.port) else { break }
            idle.append(socket)
        }
        #expect(idle.count == 300)
        let load = FilingLoad(prefix: "idle-\(UUID().uuidString.prefix(6).lowercased())", token: token, agreements: agreements)
        let running = Task { await load.run(port: served.port, workers: 8) }
        defer { load.stop() }
        try await Task.sleep(for: .seconds(4))
        load.stop()
        await running.value
        let figures = load.figures
        #expect(figures.byStatus.keys.sorted() == [201] && figures.unanswered == 0, "\(figures) \(figures.errors)")
        #expect(figures.filings > 8)
        let (lost, doubled) = try await Self.expectEachRecordedOnce(load, port: served.port)
        #expect(try await served.stop() < .seconds(10))
        Self.report("\(idle.count) idle connections open beside 8 filing clients for 4 s: \(figures); \(lost) lost, \(doubled) recorded twice")
    }

    /// schemathesis, as deploy/setup.sh installs it (or at `ZHENGSHE_SCHEMATHESIS`).
    static var schemathesis: String {
        if let path = ProcessInfo.processInfo.environment["ZHENGSHE_SCHEMATHESIS"], !path.isEmpty { return path }
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return cache + "/zhengshe/venv/bin/st"
    }

    /// Contract fuzzing with schemathesis against the running service, once with a token of each
    /// role on the demo street's real codes (so that requests reach the rules, not only the 404 of
    /// an unknown code) and once with every parameter generated: no server error, and every
    /// answer's status, content type, headers and body as the contract says. Bounded in time
    /// (15 s a role, 20 s unconstrained); the seed is fixed so that a finding reproduces
    /// (`ZHENGSHE_FUZZ_SEED` to explore others).
    @Test func theContractHoldsUnderFuzzingWithEveryRole() async throws {
        let st = Self.schemathesis
        try #require(FileManager.default.isExecutableFile(atPath: st), "no schemathesis at \(st): run deploy/setup.sh (it installs it)")
        let served = try await Served.start(arguments: Self.demo)
        defer { served.cleanUp() }
        let database = ["--data-dir", served.directory]
        let roles: [(String, [String])] = [
            ("government", ["--role", "government", "--party", Self.government]),
            ("committee", ["--role", "committee", "--party", Self.government + "001"]),
            ("district", ["--role", "district", "--party", "320402"]),
            ("evaluator", ["--role", "evaluator", "--party", "320402", "--year", "2026"]),
            ("admin", ["--role", "admin"]),
        ]
        let work = "/tmp/zhengshe-fuzz-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let realCodes = work + "/real-codes.toml"
        try """
            [parameters]
            "path.id" = "\(Self.government)001-2026"
            "path.district" = "320402"
            "path.government" = "\(Self.government)"
            "path.committee" = "\(Self.government)001"
            "path.year" = 2026
            """.write(toFile: realCodes, atomically: true, encoding: .utf8)
        let seed = ProcessInfo.processInfo.environment["ZHENGSHE_FUZZ_SEED"].flatMap { $0.isEmpty ? nil : $0 } ?? "20261202"
        let checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
        // Under Python 3.11 schemathesis' coverage phase fails on its own: left out there.
        let venvConfig = (try? String(contentsOfFile: (st as NSString).deletingLastPathComponent + "/../pyvenv.cfg", encoding: .utf8)) ?? ""
        let python = venvConfig.split(separator: "\n").first { $0.hasPrefix("version") }?.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) ?? ""
        let minor = python.split(separator: ".").dropFirst().first.flatMap { Int($0) } ?? 12
        let phases = minor >= 12 ? [] : ["--phases", "examples,fuzzing,stateful"]
        var runs: [(name: String, config: [String], token: String, seconds: Int)] = []
        for (role, arguments) in roles {
            runs.append((role, ["--config-file", realCodes], try await Served.token(arguments, database: database), 15))
        }
        runs.append(("admin, every parameter generated", [], runs.last!.token, 20))
        // The demo street's read side built first (its views answer 503 until then).
        _ = try await FilingLoad.agreements(port: served.port, government: Self.government, token: runs[0].token, count: 20)
        for run in runs {
            let (status, output) = try await Served.run(
                st, run.config + ["run", served.base + "/openapi.yaml", "--header", "Authorization: Bearer \(run.token)", "--checks", checks,
                                  "--max-time", "\(run.seconds)", "--workers", "2", "--seed", seed, "--no-color"] + phases,
                in: work, within: .seconds(run.seconds * 4 + 60))
            let cases = output.split(separator: "\n").last { $0.contains("generated") }?.trimmingCharacters(in: .whitespaces) ?? "?"
            #expect(status == 0, "schemathesis as \(run.name) (seed \(seed)):\n\(output.suffix(6000))")
            Self.report("schemathesis (Python \(python)) as \(run.name), \(run.seconds) s: \(cases), exit \(status)")
        }
        #expect(try await served.stop() < .seconds(10))
    }
}
