import Foundation
import Netlink
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A throw-away network for one test: namespace `<prefix>-lan` holding bridge `br0` (STP off,
/// forward delay 0) and one namespace per host whose `eth0` is a veth enslaved to `br0`
/// (`<host>-p` on the bridge side). Addresses only from 198.18.0.0/15. Every process started
/// through the lab is stopped by pid and every namespace deleted in `destroy()`.
final class NamespaceLab: @unchecked Sendable {
    let prefix: String
    let runDirectory: String
    private(set) var hosts: [String] = []
    private var processes: [LabProcess] = []
    /// One rtnetlink socket per host namespace: address checks poll in process, spawning nothing.
    private var addressTables: [String: (table: AddressTable, eth0: UInt32?)] = [:]

    /// Whether this process can build labs (root); callers print "skipped: needs root" otherwise.
    static var isAvailable: Bool { getuid() == 0 }

    /// - Parameters:
    ///   - tag: short lab family prefix, e.g. "hv" for VRRP tests, "ha" for appliance tests.
    ///   - hosts: host name → IPv4 address with prefix on its eth0 ("198.18.0.11/24").
    init(tag: String, hosts: [(name: String, address: String)], ipv6: Bool = false) throws {
        prefix = "\(tag)-\(String(UInt32.random(in: 0..<0xFFFF), radix: 16))"
        runDirectory = NSTemporaryDirectory() + prefix
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        do {
            let lan = namespace("lan")
            try Self.run(["ip", "netns", "add", lan])
            try Self.run(["ip", "-n", lan, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])
            try Self.run(["ip", "-n", lan, "link", "set", "br0", "up"])
            for host in hosts { try addHost(host.name, address: host.address, ipv6: ipv6) }
        } catch {
            destroy()
            throw error
        }
    }

    func namespace(_ host: String) -> String { "\(prefix)-\(host)" }

    private func addHost(_ name: String, address: String, ipv6: Bool) throws {
        let ns = namespace(name)
        let lan = namespace("lan")
        try Self.run(["ip", "netns", "add", ns])
        hosts.append(name)
        try Self.run([
            "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=\(ipv6 ? 0 : 1)",
            "net.ipv6.conf.default.disable_ipv6=\(ipv6 ? 0 : 1)", "net.ipv4.ip_nonlocal_bind=1",
        ])
        try Self.run(["ip", "link", "add", "\(name)-p", "netns", lan, "type", "veth", "peer", "name", "eth0", "netns", ns])
        if ipv6 {
            try Self.run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0"])
        }
        try Self.run(["ip", "-n", lan, "link", "set", "\(name)-p", "master", "br0", "up"])
        try Self.run(["ip", "-n", ns, "link", "set", "lo", "up"])
        try Self.run(["ip", "-n", ns, "addr", "add", address, "dev", "eth0"])
        try Self.run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    }

    // MARK: Commands

    /// Runs a command to completion (bounded: 20 s, then killed) and returns its standard output
    /// and error, interleaved; throws `ChildProcess.Failure` with them unless it exits 0.
    @discardableResult
    static func run(_ command: [String], input: String? = nil) throws -> String {
        try ChildProcess.run("/usr/bin/env", command, input: input, standardError: .standardOutput, timeout: .seconds(20))
            .successfulOutput()
    }

    /// Runs `command` inside `host`'s namespace.
    @discardableResult
    func exec(_ host: String, _ command: [String], input: String? = nil) throws -> String {
        try Self.run(["ip", "netns", "exec", namespace(host)] + command, input: input)
    }

    /// Starts a long-running process in `host`'s namespace; its output goes to `<run>/<name>.log`.
    func spawn(_ host: String, _ command: [String], name: String) throws -> LabProcess {
        let log = "\(runDirectory)/\(name).log"
        // `ip netns exec` execs the command in place: the pid is the command's.
        let process = try ChildProcess(
            "/usr/bin/env", ["ip", "netns", "exec", namespace(host)] + command,
            standardInput: .null, standardOutput: .file(log), standardError: .standardOutput)
        let started = LabProcess(process: process, logPath: log, name: name)
        processes.append(started)
        return started
    }

    /// Writes a file in the run directory and returns its path.
    func writeFile(_ name: String, _ contents: String) throws -> String {
        let path = "\(runDirectory)/\(name)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: Observations

    /// The addresses on `host`'s `device` (eth0), without prefix length ("198.18.0.100"), read over
    /// rtnetlink from inside the namespace.
    func addresses(_ host: String, device: String = "eth0") -> [String] {
        if addressTables[host] == nil {
            addressTables[host] = try? NetworkNamespace.run(in: namespace(host)) {
                (try AddressTable(), NetworkInterface(name: "eth0")?.index)
            }
        }
        guard let entry = addressTables[host] else { return [] }
        var index = entry.eth0
        if device != "eth0" {
            index = try? NetworkNamespace.run(in: namespace(host)) { NetworkInterface(name: device)?.index }
        }
        guard let index, let addresses = try? entry.table.addresses(interfaceIndex: index) else { return [] }
        return addresses.map(\.address.description)
    }

    func holds(_ host: String, _ address: String) -> Bool { addresses(host).contains(address) }

    /// `host`'s eth0 MAC address.
    func macAddress(_ host: String) -> String {
        let text = (try? exec(host, ["cat", "/sys/class/net/eth0/address"])) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `condition` every `interval` until it holds or `timeout` passes; returns the
    /// elapsed time when it held, nil on timeout.
    @discardableResult
    func wait(
        timeout: Duration, interval: Duration = .milliseconds(5), _ condition: () -> Bool
    ) -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < timeout {
            if condition() { return clock.now - start }
            usleep(UInt32(interval.components.attoseconds / 1_000_000_000_000))
        }
        return condition() ? clock.now - start : nil
    }

    // MARK: Faults

    /// Silently cut `host` off the bridge (carrier stays up): split brain.
    func cut(_ host: String) throws {
        try Self.run(["bridge", "-n", namespace("lan"), "link", "set", "dev", "\(host)-p", "state", "0"])
    }

    func heal(_ host: String) throws {
        try Self.run(["bridge", "-n", namespace("lan"), "link", "set", "dev", "\(host)-p", "state", "3"])
    }

    // MARK: Teardown

    /// Stops every process the lab started (SIGKILL by pid), then deletes every namespace.
    func destroy() {
        for process in processes { process.stop(signal: SIGKILL, timeout: .seconds(5)) }
        processes = []
        addressTables = [:]
        for host in hosts + ["lan"] {
            let ns = namespace(host)
            if let pids = try? Self.run(["ip", "netns", "pids", ns]) {
                // Only processes this lab's commands left behind live in its namespaces.
                for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? Self.run(["ip", "netns", "del", ns])
        }
        hosts = []
        try? FileManager.default.removeItem(atPath: runDirectory)
    }
}

/// A process a lab started, tracked by pid.
final class LabProcess: Sendable {
    let process: ChildProcess
    let logPath: String
    let name: String

    init(process: ChildProcess, logPath: String, name: String) {
        self.process = process
        self.logPath = logPath
        self.name = name
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }

    /// Everything the process wrote so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func send(_ signal: Int32) {
        process.kill(signal)
    }

    /// Sends `signal` and waits (bounded) for the exit; escalates to SIGKILL at `timeout`.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) {
        guard process.isRunning else { return }
        process.kill(signal)
        if process.wait(timeout: timeout) == nil {
            process.kill(SIGKILL)
            process.waitUntilExit()
        }
    }
}
