import ArgumentParser
import Foundation
import ZhengsheProjections
import ZhengsheStore

/// `zhengshe projections`: the read side's state, and rebuilding a projection while the service runs.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "The read side's projections (投影): their state, and rebuilds.",
        subcommands: [Status.self, Rebuild.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each projection's generations: version, checkpoint, events behind the head, last error, runner.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let lines = try await database.withClient { client, logger in
                try await Migrator(client: client, logger: logger).migrate()
                let generations = ProjectionGenerations(client: client, logger: logger)
                var lines: [String] = []
                let known = try await generations.list()
                for projection in Projections.all {
                    let own = known.filter { $0.projection == projection.name }
                    if own.isEmpty { lines.append("\(projection.name) v\(projection.version): not built yet (serve builds it)") }
                    for generation in own {
                        let behind = try await generations.lag(after: generation.position).events
                        lines.append(
                            "\(projection.name) v\(generation.version) generation \(generation.generation) \(generation.status.rawValue): "
                                + "checkpoint \(generation.position), \(generation.eventsApplied) events applied, \(behind) behind the head, "
                                + "runner \(generation.runner ?? "none"), updated \(generation.updatedAt)"
                                + (generation.version != projection.version ? " (this build has v\(projection.version): it will be rebuilt)" : "")
                                + (generation.lastError.map { "\n  stopped at \($0)" } ?? ""))
                    }
                }
                return lines
            }
            for line in lines { print(line) }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a projection from the first event into fresh tables; the old ones answer until the new catch up.",
            discussion: "The projection's runner (in serve, or this command when no serve runs it) fills the new generation and switches over.")
        @Argument(help: "The projection's name (see `projections status`).") var name: String
        @Option(help: "Seconds to wait for the switch.") var timeout = 600
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let projection = Projections.named(name) else {
                throw ValidationError("no projection '\(name)': \(Projections.all.map(\.name).joined(separator: ", "))")
            }
            let (name, timeout) = (name, timeout)
            let switched = try await database.withClient { client, logger in
                try await Migrator(client: client, logger: logger).migrate()
                let generations = ProjectionGenerations(client: client, logger: logger)
                let building = try await generations.startBuilding(projection)
                print("Building \(name) generation \(building.generation) in \(building.schema)…")
                // Run the projection here too: if a serve holds its lock, this one waits and that one builds.
                let runner = ProjectionRunner(projection: projection, store: PostgresEventStore(client: client, logger: logger), logger: logger)
                let task = Task { await runner.runUntilCancelled() }
                defer { task.cancel() }
                let deadline = ContinuousClock.now + .seconds(timeout)
                while ContinuousClock.now < deadline {
                    let live = try await generations.list(name).first { $0.status == .live }
                    if let live, live.generation >= building.generation { return true }
                    try await Task.sleep(for: .milliseconds(500))
                }
                return false
            }
            guard switched else { throw ValidationError("\(name) did not catch up within \(timeout) s; `zhengshe projections status` shows where it is") }
            print("\(name) now answers from generation rebuilt from the first event.")
        }
    }
}
