import ArgumentParser

@main
struct Zhengshe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhengshe",
        abstract: "政社 Zhengshe: agreements between street/town governments and residents' or village committees, kept as event streams.",
        subcommands: [Serve.self, Migrate.self, Verify.self, TokenCommand.self, DemoCommand.self, ProjectionsCommand.self, ReportCommand.self, EvaluationCommand.self],
        defaultSubcommand: Serve.self
    )
}
