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
        .executable(name: "zhengshe", targets: ["zhengshe"])
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
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["SchemaEmbedder"]
        ),
        // A synthetic city-year, filed through the deciders: `zhengshe demo seed`, `serve --demo`, the benchmark.
        .target(
            name: "ZhengsheDemo",
            dependencies: [
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
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP: routes, errors, the application builder.
        .target(
            name: "ZhengsheAPI",
            dependencies: [
                "ZhengsheDomain",
                "ZhengsheStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "zhengshe",
            dependencies: [
                "ZhengsheAPI",
                "ZhengsheDemo",
                "ZhengsheStore",
                "EmbeddedPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Embeds Schema/*.sql into ZhengsheStore at build time, so the binary carries its migrations.
        .executableTarget(name: "SchemaEmbedderTool", swiftSettings: swiftSettings),
        .plugin(
            name: "SchemaEmbedder",
            capability: .buildTool(),
            dependencies: ["SchemaEmbedderTool"],
            path: "Sources/SchemaEmbedder"
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
            name: "ZhengsheAPITests",
            dependencies: [
                "ZhengsheAPI",
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
