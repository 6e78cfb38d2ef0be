import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

// As `zhengshe` does (Sources/zhengshe/main.swift): the store's figures are measured on the
// executor the service runs on.
// ZHENGSHE_EXECUTOR=default keeps Swift's own executor, here and in the serve it starts.
if ProcessInfo.processInfo.environment["ZHENGSHE_EXECUTOR"] != "default" {
    _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
await ZhengsheBench.start()

extension ZhengsheBench {
    /// AsyncParsableCommand's own `main`, from an asynchronous function: top-level code would
    /// pick the synchronous `main`, which refuses an asynchronous command.
    static func start() async {
        await main(nil)
    }
}
