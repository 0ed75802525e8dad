// swift-tools-version:6.1
// hactl: one binary that does the job of keepalived + HAProxy on a load-balancer node.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Release: each function in its own section, so the linker can drop the unused ones and
    // place the used ones in the order of Sources/hactl/link-order.txt (see `releaseLink`).
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release)),
]

/// The data path in release builds: exclusivity stays checked at compile time and in debug builds
/// (every test run), but not again at run time on each access to a class property (measured with
/// perf: about 2.5 % of the proxy's CPU under wrk).
let dataPath: [SwiftSetting] = strict + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

/// How release builds of the hactl binary are linked (issue 12: idle RSS). The kernel maps a
/// binary's code 64 KiB at a time around each page a process touches, and a node touches ~1,500
/// functions spread over the whole 7.5 MB of code, so nearly all of it was resident:
/// - lld places the functions a node runs first, in the order it first runs them
///   (Sources/hactl/link-order.txt, written by scripts/link-order), and LLVM's unnamed private
///   functions, which no list can name, before them (Sources/hactl/text-layout.ld); this needs
///   each function in its own section (`-function-sections` in `strict`);
/// - relative relocations are packed (`-z pack-relative-relocs`, glibc 2.36+): ~27,000 of them
///   took 650 KiB of .rela.dyn, read at every start and resident after; packed they take 6 KiB;
/// - the Swift runtime and FoundationEssentials are linked in (`-static-stdlib`; the C shims are
///   named because the static FoundationEssentials needs them after it), so the same ordering
///   packs the part of them a node runs: libswiftCore alone had 5.1 MiB of its 5.9 MB of code
///   resident. The runtime no longer finds swift-backtrace beside libswiftCore: crash
///   backtraces need `SWIFT_BACKTRACE=swift-backtrace=<toolchain>/usr/libexec/swift/linux/swift-backtrace-static`.
let releaseLink: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-static-stdlib", "-l_FoundationCShims", "-l_FoundationCollections",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/hactl/link-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
        "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/Sources/hactl/text-layout.ld",
    ], .when(configuration: .release))
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
            exclude: ["link-order.txt", "text-layout.ld"],
            swiftSettings: strict,
            linkerSettings: releaseLink
        ),

        // Linked by tests only: certificates made with the openssl CLI, loopback connections, and
        // ChildProcess, which starts the programs tests run (posix_spawn through CSpawn's glibc calls).
        .target(name: "CSpawn", path: "Tests/CSpawn"),
        .target(name: "TestSupport", dependencies: ["CSpawn"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "HACoreTests", dependencies: ["HACore"], swiftSettings: strict),
        .testTarget(name: "HAConfigTests", dependencies: ["HAConfig", "HACore", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
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
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink", "TestSupport"], swiftSettings: strict),
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
                "Control", "TestSupport",
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
        .testTarget(name: "IntegrationTests", dependencies: ["Netlink", "TestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
