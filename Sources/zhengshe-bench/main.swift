import NIOPosix

// As `zhengshe` does (Sources/zhengshe/main.swift): the store's figures are measured on the
// executor the service runs on.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await ZhengsheBench.main()
