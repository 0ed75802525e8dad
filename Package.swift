// swift-tools-version:6.1
// hactl: one binary that does the job of keepalived + HAProxy on a load-balancer node.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The data path in release builds: exclusivity stays checked at compile time and in debug builds
/// (every test run), but not again at run time on each access to a class property (measured with
/// perf: about 2.5 % of the proxy's CPU under wrk).
let dataPath: [SwiftSetting] = strict + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "hactl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hactl", targets: ["hactl"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Shared vocabulary: events, the event bus, the clock, source locations.
        .target(name: "HACore", swiftSettings: strict),
        // The configuration language: lexer, typed model, validation, importers.
        .target(name: "HAConfig", dependencies: ["HACore"], swiftSettings: strict),

        // C system libraries, each reachable only through its wrapper module.
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
        ),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CTLS", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(
            name: "Netlink",
            dependencies: ["CNetlink", "HACore"],
            swiftSettings: strict
        ),
        .target(name: "Systemd", dependencies: ["CSystemd"], swiftSettings: strict),
        // TLS on OpenSSL 3 (the distribution's): a NIO handler over memory BIOs, contexts from HAProxy's keywords.
        .target(
            name: "TLS",
            dependencies: ["CTLS", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: dataPath  // every record of a TLS connection passes through its handler
        ),
        // Streaming deflate/gzip for the proxy's `compression`; the only module that imports CZlib.
        .target(name: "Zlib", dependencies: ["CZlib", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: dataPath),

        // The authenticated channel between the two hactl nodes of a pair (crash detection, health exchange).
        .target(
            name: "PeerLink",
            dependencies: [
                "HACore", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The VRRP engine (RFC 9568 / RFC 3768).
        .target(
            name: "VRRP",
            dependencies: [
                "HACore", "HAConfig", "Netlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The embedded proxy: HAProxy's model on SwiftNIO.
        .target(
            name: "Proxy",
            dependencies: [
                "HACore", "HAConfig", "TLS", "Zlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: dataPath
        ),
        // The control socket: hactl's JSON-lines protocol and HAProxy's runtime-API subset, the
        // server and client, and the status model both halves fill. Knows nothing of VRRP/Proxy.
        .target(
            name: "Control",
            dependencies: [
                "HACore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Composition root: services from a Configuration, wired to the bus.
        .target(
            name: "Appliance",
            dependencies: [
                "HACore", "HAConfig", "VRRP", "Proxy", "Systemd", "Control", "PeerLink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "hactl",
            dependencies: [
                "Appliance", "HAConfig", "Control",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Certificates made with the openssl CLI, for the TLS and proxy tests (linked by tests only).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "HACoreTests", dependencies: ["HACore"], swiftSettings: strict),
        .testTarget(name: "HAConfigTests", dependencies: ["HAConfig", "HACore"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "ApplianceTests",
            dependencies: [
                "Appliance", "HACore", "HAConfig", "Systemd", "Proxy", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VRRPTests",
            dependencies: ["VRRP", "Netlink", "HACore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeerLinkTests",
            dependencies: ["PeerLink", "TLS", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink"], swiftSettings: strict),
        .testTarget(name: "ZlibTests", dependencies: ["Zlib", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "Proxy", "HACore", "HAConfig", "Zlib", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ControlTests",
            dependencies: [
                "Control",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TLSTests",
            dependencies: [
                "TLS", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Real sockets, network namespaces and peers (root); the VRRP lab lives in Lab/.
        .testTarget(name: "IntegrationTests", dependencies: ["Netlink"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
