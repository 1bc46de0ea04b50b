// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "hearth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hearth", targets: ["hearth"]),
        .executable(name: "hearth-bench", targets: ["hearth-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // System libraries: thin module maps over a shim header.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // hiredis ships a pkg-config file whose flags SwiftPM rejects, so the module map links it directly.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),

        // Dedicated threads for blocking C calls (kept off NIO event loops and the cooperative pool) and the generic connection pool.
        .target(
            name: "HearthConnections",
            dependencies: [.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HearthPostgres",
            dependencies: [
                "CLibPQ", "HearthConnections",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HearthRedis",
            dependencies: [
                "CHiredis", "HearthConnections",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The domain: rules and types only, no I/O.
        .target(name: "HearthCore", swiftSettings: swiftSettings),
        .target(
            name: "HearthStorage",
            dependencies: [
                "HearthCore", "HearthPostgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HearthWeb",
            dependencies: [
                "HearthCore", "HearthStorage", "HearthPostgres", "HearthRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hearth",
            dependencies: [
                "HearthWeb", "HearthStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load generator and meter of docs/BENCHMARKS.md: drives a real `hearth serve` over
        // HTTP and WebSocket and reads CPU and memory from /proc.
        .executableTarget(
            name: "hearth-bench",
            dependencies: [
                "HearthPostgres", "HearthTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test helpers: disposable Postgres/Redis servers and per-test databases.
        .target(
            name: "HearthTestSupport",
            dependencies: ["HearthPostgres", "HearthRedis", "HearthStorage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HearthCoreTests", dependencies: ["HearthCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HearthPostgresTests",
            dependencies: ["HearthPostgres", "HearthTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HearthRedisTests",
            dependencies: ["HearthRedis", "HearthTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HearthStorageTests",
            dependencies: ["HearthStorage", "HearthTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HearthWebTests",
            dependencies: [
                "HearthWeb", "HearthTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
