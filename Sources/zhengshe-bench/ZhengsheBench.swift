import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging

/// `zhengshe-bench`: measurements, printed as figures, each beside a baseline from the same run.
/// Not a test: it asserts nothing about time. A program of its own, outside the shipped `zhengshe`,
/// because it spawns processes, opens sockets and appends streams that could never be removed.
@main
struct ZhengsheBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhengshe-bench",
        abstract: "Measure Zhengshe on a throwaway durable cluster of its own (never on an existing database).",
        subcommands: [BenchAll.self, BenchStore.self, BenchProjections.self, BenchReports.self],
        defaultSubcommand: BenchAll.self
    )
}

/// The only database the benchmark writes to: a new cluster in a new, empty folder.
enum BenchCluster {
    static func create(directory: String, logger: Logger) async throws -> EmbeddedPostgres {
        guard !FileManager.default.fileExists(atPath: directory) else {
            throw ValidationError("\(directory) already exists: the benchmark only writes to a cluster it creates itself in a new folder")
        }
        let cluster = try EmbeddedPostgres(configuration: .init(directory: directory), logger: logger)
        try await cluster.start()
        try await cluster.createDatabase("bench")
        return cluster
    }
}

extension Logger {
    static func bench(level: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: "zhengshe-bench")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        return logger
    }
}

