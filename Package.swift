// swift-tools-version:6.1
import PackageDescription

/// One set of settings for every target: Swift 6 language mode with the upcoming features
/// that keep dependencies explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "zhengshe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zhengshe", targets: ["zhengshe"]),
        .executable(name: "zhengshe-bench", targets: ["zhengshe-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        // The agreement rules: pure Swift, Foundation at most.
        .target(
            name: "ZhengsheDomain",
            swiftSettings: swiftSettings
        ),
        // The event store and migrations on PostgreSQL.
        .target(
            name: "ZhengsheStore",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["FileEmbedder"]
        ),
        // Command handling (load, decide, append, retry, idempotency), the state caches, access and
        // lookups: what HTTP, the command line and the demo city call. No HTTP, no SQL.
        .target(
            name: "ZhengsheApplication",
            dependencies: [
                "ZhengsheDomain",
                "ZhengsheProjections",
                "ZhengsheStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The read side: one file per projection, each the event handling of its own tables; the
        // store's ProjectionRunner runs them.
        .target(
            name: "ZhengsheProjections",
            dependencies: [
                "ZhengsheDomain",
                "ZhengsheStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The documents people hand on: the two-way report as a printable HTML page (swift-mustache
        // templates) and as CSV for Excel, the survey frame, and the survey sheet read back.
        .target(
            name: "ZhengsheReports",
            dependencies: [
                "ZhengsheApplication",
                "ZhengsheDomain",
                "ZhengsheProjections",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["FileEmbedder"]
        ),
        // A synthetic city-year, filed through the application: `zhengshe demo seed`, `serve --demo`, the benchmark.
        .target(
            name: "ZhengsheDemo",
            dependencies: [
                "ZhengsheApplication",
                "ZhengsheDomain",
                "ZhengsheStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A private PostgreSQL cluster in a folder of its own, for `serve` and for the tests.
        .target(
            name: "EmbeddedPostgres",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP: the server interface and types generated from openapi.yaml, implemented by handlers
        // that call the application and map its errors to problem+json.
        .target(
            name: "ZhengsheAPI",
            dependencies: [
                "ZhengsheApplication",
                "ZhengsheReports",
                "ZhengsheDomain",
                "ZhengsheProjections",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            ],
            swiftSettings: swiftSettings,
            plugins: [
                .plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator"),
                "FileEmbedder",
            ]
        ),
        // The composition root: wires the store, the application, the HTTP routes and the long-running
        // services. `zhengshe serve` and the tests call the same builder.
        .target(
            name: "ZhengsheServer",
            dependencies: [
                "EmbeddedPostgres",
                "ZhengsheAPI",
                "ZhengsheProjections",
                "ZhengsheApplication",
                "ZhengsheStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "zhengshe",
            dependencies: [
                "ZhengsheServer",
                "ZhengsheAPI",
                "ZhengsheApplication",
                "ZhengsheReports",
                "ZhengsheProjections",
                "ZhengsheDemo",
                "ZhengsheStore",
                "EmbeddedPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark, outside the shipped binary: it only ever writes to a cluster it creates.
        .executableTarget(
            name: "zhengshe-bench",
            dependencies: [
                "ZhengsheAPI",
                "ZhengsheApplication",
                "ZhengsheProjections",
                "ZhengsheDemo",
                "ZhengsheDomain",
                "ZhengsheStore",
                "EmbeddedPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Compiles Schema/*.sql (ZhengsheStore) and openapi.yaml (ZhengsheAPI) into the binary.
        .executableTarget(name: "FileEmbedderTool", swiftSettings: swiftSettings),
        .plugin(
            name: "FileEmbedder",
            capability: .buildTool(),
            dependencies: ["FileEmbedderTool"],
            path: "Sources/FileEmbedder"
        ),

        // Shared by the test targets: a real PostgreSQL per test process, a database per suite.
        .target(
            name: "ZhengsheTestSupport",
            dependencies: [
                "EmbeddedPostgres",
                "ZhengsheStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ZhengsheTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhengsheDomainTests",
            dependencies: ["ZhengsheDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhengsheStoreTests",
            dependencies: [
                "ZhengsheApplication",
                "ZhengsheDemo",
                "ZhengsheDomain",
                "ZhengsheStore",
                "ZhengsheTestSupport",
                "EmbeddedPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhengsheProjectionsTests",
            dependencies: [
                "ZhengsheApplication",
                "ZhengsheDomain",
                "ZhengsheProjections",
                "ZhengsheStore",
                "ZhengsheTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhengsheAPITests",
            dependencies: [
                "ZhengsheAPI",
                "ZhengsheProjections",
                "ZhengsheServer",
                "ZhengsheDomain",
                "ZhengsheStore",
                "ZhengsheTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
