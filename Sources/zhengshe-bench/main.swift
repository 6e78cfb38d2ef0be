import ArgumentParser
import NIOCore
import NIOPosix

// As `zhengshe` does (Sources/zhengshe/main.swift): the store's figures are measured on the
// executor the service runs on.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await ZhengsheBench.start()

extension ZhengsheBench {
    /// AsyncParsableCommand's own `main`, from an asynchronous function: top-level code would
    /// pick the synchronous `main`, which refuses an asynchronous command.
    static func start() async {
        await main(nil)
    }
}
