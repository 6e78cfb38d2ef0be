import ArgumentParser
import Logging
import ZhengsheServer

@main
struct Zhengshe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhengshe",
        abstract: "政社 Zhengshe: agreements between street/town governments and residents' or village committees, kept as event streams.",
        subcommands: [Serve.self, Migrate.self, Verify.self, TokenCommand.self, DemoCommand.self, ProjectionsCommand.self, ReportCommand.self, EvaluationCommand.self],
        defaultSubcommand: Serve.self
    )

    /// Runs the command the arguments name, with log lines written by ``LineLogHandler``.
    static func main() async {
        LoggingSystem.bootstrap({ label, provider in LineLogHandler(label: label, metadataProvider: provider) }, metadataProvider: nil)
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
