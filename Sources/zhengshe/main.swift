import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

// Swift's tasks run on NIO's event loops, the threads that already carry the HTTP connections
// and the database's, so that a request's work does not hop between two sets of threads at
// every await (README.md, "Where the time goes"). Before anything else runs; it does nothing
// when the runtime does not allow it.
// ZHENGSHE_EXECUTOR=default keeps Swift's own executor (to compare, or should a dependency ever
// block a thread).
if ProcessInfo.processInfo.environment["ZHENGSHE_EXECUTOR"] != "default" {
    _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
await Zhengshe.start()

struct Zhengshe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhengshe",
        abstract: "政社 Zhengshe: agreements between street/town governments and residents' or village committees, kept as event streams.",
        subcommands: [Serve.self, Migrate.self, Verify.self, TokenCommand.self, DemoCommand.self, ProjectionsCommand.self, ReportCommand.self, EvaluationCommand.self],
        defaultSubcommand: Serve.self
    )
}

extension Zhengshe {
    /// AsyncParsableCommand's own `main`, from an asynchronous function: top-level code would
    /// pick the synchronous `main`, which refuses an asynchronous command.
    static func start() async {
        await main(nil)
    }
}
