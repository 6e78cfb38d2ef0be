import ArgumentParser
import Logging
import ZhengsheStore

/// `zhengshe verify`: walks the hash chains and reports the first broken event of each stream.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every stream's hash chain (or one stream's) and report where it breaks.",
        discussion: "Exits 0 when every chain holds, 1 when any is broken."
    )

    @Option(help: "Only this stream, e.g. agreement-320412001001-2026.") var stream: String?
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let only = try stream.map { try StreamID($0) }
        let report = try await database.withClient { client, logger in
            try await ChainVerifier(client: client, logger: logger).verify(stream: only)
        }
        print("Checked \(report.events) events in \(report.streams) streams.")
        if report.isIntact {
            print("Every hash chain holds.")
        } else {
            print("\(report.breaks.count) broken stream(s):")
            for broken in report.breaks { print("  \(broken)") }
            throw ExitCode(1)
        }
    }
}
