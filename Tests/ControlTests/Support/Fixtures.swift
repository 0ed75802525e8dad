@testable import Control

/// A node with one healthy instance, one frontend and one backend of two servers.
enum Fixtures {
    static let nowMs: Int64 = 1_800_000_000_000

    static func server(_ name: String, state: StatusReport.ServerState = .up, address: String = "10.0.0.1:8080") -> StatusReport.Server {
        StatusReport.Server(
            name: name, address: address, state: state, check: .init(result: "passed", reason: "HTTP 200"), weight: 10,
            admin: .ready, currentSessions: 2, totalSessions: 420, queue: 1,
            responses: .init(informational: 0, success: 400, redirection: 5, clientError: 10, serverError: 3, other: 2),
            errors: 1, lastChangeSecondsAgo: 125
        )
    }

    static var report: StatusReport {
        StatusReport(
            node: .init(
                role: "primary", hostname: "lb1", version: "0.9.0", uptimeSeconds: 93_784,
                files: [.init(path: "/etc/hactl/hactl.conf", sha256: String(repeating: "ab", count: 32))],
                lastReload: .init(at: nowMs - 300_000, result: .applied, detail: "2 servers added")
            ),
            instances: [
                .init(
                    name: "VI_1", state: .master, basePriority: 100, effectivePriority: 110,
                    terms: [
                        .init(name: "proxy", kind: .proxy, value: "up"),
                        .init(name: "eth0", kind: .interface, value: "up"),
                        .init(name: "chk_disk", kind: .script, value: "+10"),
                    ],
                    vips: ["192.0.2.1/24"], vipsHeld: true, masterSeen: nil, lastAdvertMsAgo: nil,
                    adverts: .init(sent: 1200, received: 3, dropped: ["ttl": 2, "auth": 1]),
                    transitions: [.init(from: .backup, to: .master, reason: "higher priority than 10.0.0.3", at: nowMs - 180_000)]
                )
            ],
            proxy: .init(up: true, reason: "probe ok", probeLatencyMs: 0.42, restarts: 0),
            frontends: [.init(name: "web", state: .open, currentSessions: 3, totalSessions: 1042)],
            backends: [.init(name: "app", state: .up, servers: [server("s1"), server("s2", address: "[2001:db8::2]:8080")])]
        )
    }
}
