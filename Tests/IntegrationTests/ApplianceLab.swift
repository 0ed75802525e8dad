import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A small LAN in network namespaces for the appliance tests (prefix `ha-`, addresses from
/// 198.18.0.0/15 only): namespace `ha-lan` holds bridge `br0`; each host namespace gets `lo`
/// and a veth `eth0` on the bridge. `tearDown()` stops what runs inside and deletes everything.
final class ApplianceLab: @unchecked Sendable {
    let hosts: [String: String]
    private var created: [String] = []

    /// - Parameter hosts: namespace name → address with prefix (`"ha-lb1": "198.18.1.11/24"`).
    init(hosts: [String: String]) throws {
        self.hosts = hosts
        do {
            try create()
        } catch {
            tearDown()
            throw error
        }
    }

    private func create() throws {
        for name in ["ha-lan"] + hosts.keys.sorted() {
            _ = try? Self.run(["ip", "netns", "del", name])  // leftovers of an interrupted run
        }
        try Self.run(["ip", "netns", "add", "ha-lan"])
        created.append("ha-lan")
        try Self.run(["ip", "-n", "ha-lan", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])
        try Self.run(["ip", "-n", "ha-lan", "link", "set", "br0", "up"])
        for (host, address) in hosts.sorted(by: { $0.key < $1.key }) {
            let port = String(host.dropFirst(3)) + "-p"
            try Self.run(["ip", "netns", "add", host])
            created.append(host)
            try Self.run(["ip", "-n", host, "link", "set", "lo", "up"])
            try Self.run(["ip", "link", "add", "eth0", "netns", host, "type", "veth", "peer", "name", port, "netns", "ha-lan"])
            try Self.run(["ip", "-n", "ha-lan", "link", "set", port, "master", "br0", "up"])
            try Self.run(["ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.ip_nonlocal_bind=1"])
            try Self.run(["ip", "-n", host, "addr", "add", address, "dev", "eth0"])
            try Self.run(["ip", "-n", host, "link", "set", "eth0", "up"])
        }
    }

    /// Whether `host` has `address` on eth0 now.
    func holds(_ host: String, _ address: String) -> Bool {
        ((try? Self.output(["ip", "-n", host, "-4", "addr", "show", "dev", "eth0"])) ?? "").contains(" \(address)/")
    }

    /// Kills by pid whatever still runs in the lab's namespaces, then deletes them.
    func tearDown() {
        for name in created.reversed() {
            let pids = ((try? Self.output(["ip", "netns", "pids", name])) ?? "").split(separator: "\n").compactMap { Int32($0) }
            for pid in pids { kill(pid, SIGKILL) }
            _ = try? Self.run(["ip", "netns", "del", name])
        }
        created = []
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw RunTestError("\(arguments.joined(separator: " ")): exit \(process.terminationStatus): \(text)")
        }
        return text
    }

    static func output(_ arguments: [String]) throws -> String { try run(arguments) }
}
