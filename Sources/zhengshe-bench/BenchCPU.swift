import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a load run's CPU went, per operation: the service, PostgreSQL, the load generator and
/// this program, and how busy the machine's cores were. On two cores shared by all of them, this
/// is what bounds a rate: at most `cores / (CPU seconds per operation)`.
struct CPUShare: Codable {
    /// Milliseconds of CPU per operation, by process.
    var serve: Double
    var postgres: Double
    /// The load generator when it is a program of its own (wrk, pgbench).
    var load: Double
    /// This program: the store's clients in the store runs, the lag sampler beside the HTTP runs.
    var bench: Double
    /// Of all the cores' time during the run, the share that was busy (0…1).
    var busy: Double
    var cores: Int

    var total: Double { serve + postgres + load + bench }
    /// Operations per second the cores could carry if only these processes ran and nothing waited.
    var ceiling: Double { total > 0 ? Double(cores) * 1000 / total : 0 }

    func line(_ loadName: String) -> String {
        var parts: [String] = []
        if serve > 0 { parts.append(String(format: "serve %.2f", serve)) }
        parts.append(String(format: "PostgreSQL %.2f", postgres))
        if load > 0 { parts.append(String(format: "%@ %.2f", loadName, load)) }
        parts.append(String(format: "bench %.2f", bench))
        return parts.joined(separator: " + ") + String(format: " = %.2f ms each; cores %2.0f %% busy; ceiling %.0f/s", total, busy * 100, ceiling)
    }
}

/// CPU counters read from /proc (Linux), before and after a run. Elsewhere every reading is zero.
struct CPUMeter {
    struct Reading {
        var serve: Double = 0
        var postgres: Double = 0
        var children: Double = 0
        var own: Double = 0
        var busy: Double = 0
        var all: Double = 0
    }

    /// The service's process, when there is one.
    var servePID: Int32?

    /// Seconds of CPU so far: the service, every PostgreSQL process on the machine (with the
    /// backends that have ended: the postmaster's waited-for children, such as pgbench's
    /// connections), the finished children of this program (a wrk or pgbench run ends before the
    /// second reading), this program, and the machine's busy and total core time.
    func read() -> Reading {
        var reading = Reading()
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let servePID, let process = Self.process(servePID, tick: tick) { reading.serve = process.seconds }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let process = Self.process(pid, tick: tick), process.name == "postgres" else { continue }
            reading.postgres += process.seconds + process.endedChildren
        }
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        reading.children = usage.ru_utime.seconds + usage.ru_stime.seconds
        getrusage(RUSAGE_SELF.rawValue, &usage)
        reading.own = usage.ru_utime.seconds + usage.ru_stime.seconds
        if let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let first = text.split(separator: "\n").first {
            let fields = first.split(separator: " ").dropFirst().compactMap { Double($0) }
            if fields.count >= 5 {
                reading.all = fields.prefix(8).reduce(0, +) / tick
                reading.busy = reading.all - (fields[3] + fields[4]) / tick
            }
        }
        return reading
    }

    /// A process's name, its user and system CPU seconds, and those of its children that ended
    /// and were waited for, from /proc/PID/stat.
    static func process(_ pid: Int32, tick: Double) -> (name: String, seconds: Double, endedChildren: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let name = String(text[text.index(after: open)..<close])
        // After the name: state, ppid, … ; utime, stime, cutime and cstime are the 14th to 17th
        // fields of the line.
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 14, let user = Double(rest[11]), let system = Double(rest[12]),
              let childUser = Double(rest[13]), let childSystem = Double(rest[14])
        else { return nil }
        return (name, (user + system) / tick, (childUser + childSystem) / tick)
    }

    /// `body`'s result and the CPU it cost per operation, `operations` being read off its result.
    func measure<T>(_ body: () throws -> T, operations: (T) -> Double) rethrows -> (T, CPUShare) {
        let before = read()
        let result = try body()
        let after = read()
        return (result, Self.share(before, after, operations: operations(result)))
    }

    func measure<T>(_ body: () async throws -> T, operations: (T) -> Double) async rethrows -> (T, CPUShare) {
        let before = read()
        let result = try await body()
        let after = read()
        return (result, Self.share(before, after, operations: operations(result)))
    }

    static func share(_ before: Reading, _ after: Reading, operations: Double) -> CPUShare {
        let perOperation = operations > 0 ? 1000 / operations : 0
        let all = after.all - before.all
        return CPUShare(
            serve: (after.serve - before.serve) * perOperation, postgres: (after.postgres - before.postgres) * perOperation,
            load: (after.children - before.children) * perOperation, bench: (after.own - before.own) * perOperation,
            busy: all > 0 ? (after.busy - before.busy) / all : 0, cores: ProcessInfo.processInfo.activeProcessorCount)
    }
}

extension timeval {
    var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1e6 }
}
