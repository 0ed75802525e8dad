import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The VRRP test bench on top of `NamespaceLab`: nodes n1 (198.18.0.10) and n2 (198.18.0.11),
/// a client (198.18.0.12), all on one bridge; hactl (or keepalived) started per node by pid.
final class VRRPLab: @unchecked Sendable {
    static let vip = "198.18.0.100"
    let lab: NamespaceLab
    let address: [String: String] = ["n1": "198.18.0.10", "n2": "198.18.0.11", "client": "198.18.0.12"]

    /// - Parameter ipv6: enable IPv6 (link-local only; DAD off) for VRRPv3-over-IPv6 tests.
    init(ipv6: Bool = false) throws {
        lab = try NamespaceLab(
            tag: "hv",
            hosts: [("n1", "198.18.0.10/24"), ("n2", "198.18.0.11/24"), ("client", "198.18.0.12/24")], ipv6: ipv6)
    }

    deinit { lab.destroy() }

    /// The hactl binary under test: $HACTL_BINARY (scripts/test sets it) or .build/debug/hactl.
    static var hactlBinary: String {
        if let path = ProcessInfo.processInfo.environment["HACTL_BINARY"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/hactl").path
    }

    /// A hactl.conf with one vrrp_instance carrying the VIP; `extra` lines go into the instance.
    static func hactlConf(
        version: Int = 3, advertInterval: String = "1", password: String? = nil, extra: [String] = [],
        global: [String] = [], vip: String = "\(VRRPLab.vip)/24", sections: [String] = []
    ) -> String {
        var lines = ["global", "    vrrp_version \(version)"] + global.map { "    \($0)" } + [""]
        lines += [
            "vrrp_instance VI_1",
            "    interface eth0",
            "    virtual_router_id 51",
            "    advert_int \(advertInterval)",
            "    virtual_ipaddress \(vip)",
            "    no track_proxy",
        ]
        if let password { lines.append("    authentication PASS \(password)") }
        lines += extra.map { "    \($0)" }
        return (lines + [""] + sections).joined(separator: "\n") + "\n"
    }

    /// Starts `hactl run --role ROLE -f CONF` in `host`.
    @discardableResult
    func startHactl(_ host: String, role: String, config: String, arguments: [String] = []) throws -> LabProcess {
        let path = try lab.writeFile("\(host).conf", config)
        // Each node its own control socket: /run is shared by every namespace of this machine.
        let socket = arguments.contains("-S") ? [] : ["-S", "\(lab.runDirectory)/\(host).sock"]
        return try lab.spawn(
            host, [Self.hactlBinary, "run", "--role", role, "-f", path] + socket + arguments,
            name: "\(host)-hactl-\(UInt16.random(in: 0...UInt16.max))")
    }

    /// Starts keepalived 2.x in the foreground in `host` with its own pid files.
    @discardableResult
    func startKeepalived(_ host: String, config: String) throws -> LabProcess {
        let path = try lab.writeFile("\(host)-keepalived.conf", config)
        let run = lab.runDirectory
        return try lab.spawn(
            host,
            ["keepalived", "-P", "-n", "-l", "-D", "-f", path, "-p", "\(run)/\(host)-ka.pid", "-r", "\(run)/\(host)-ka-vrrp.pid"],
            name: "\(host)-keepalived-\(UInt16.random(in: 0...UInt16.max))")
    }

    /// A TCP responder on VIP:8080 in `host` answering its host name (ip_nonlocal_bind lets a
    /// backup bind the VIP it does not hold yet). With `ipv6`, it listens on [::]:8080: a node
    /// accepts only what is sent to an address it holds, so only the VIP's holder answers there.
    func startResponder(_ host: String, ipv6: Bool = false) throws {
        let (family, bindAddress) = ipv6 ? ("socket.AF_INET6", "::") : ("socket.AF_INET", Self.vip)
        let script = """
            import socket
            s = socket.socket(\(family))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("\(bindAddress)", 8080))
            s.listen(16)
            while True:
                c, _ = s.accept()
                c.sendall(b"\(host)\\n")
                c.close()
            """
        _ = try lab.spawn(host, ["python3", "-c", script], name: "\(host)-responder")
    }

    /// One TCP request from the client to VIP:8080; the answering host's name, or nil.
    func request() -> String? {
        let script = """
            import socket
            s = socket.create_connection(("\(Self.vip)", 8080), timeout=2)
            print(s.recv(64).decode().strip())
            """
        return (try? lab.exec("client", ["python3", "-c", script]))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The MAC the client has for the VIP (or `address`) in its neighbour table, or nil.
    func clientNeighbourMAC(_ address: String = VRRPLab.vip) -> String? {
        guard let text = try? NamespaceLab.run(["ip", "-n", lab.namespace("client"), "neigh", "show", address]) else {
            return nil
        }
        let words = text.split(separator: " ")
        guard let index = words.firstIndex(of: "lladdr"), index + 1 < words.count else { return nil }
        return String(words[index + 1])
    }

    func holdsVIP(_ host: String, _ address: String = VRRPLab.vip) -> Bool { lab.holds(host, address) }

    /// Lines of a process's log that report a state change to `state`.
    static func transitions(in process: LabProcess, to state: String) -> Int {
        process.log.split(separator: "\n").filter { $0.contains(") Entering ") && $0.contains("to=\(state)") }.count
    }
}

extension VRRPLab {
    /// How many state changes a node has logged.
    static func stateChanges(_ process: LabProcess) -> Int {
        process.log.split(separator: "\n").filter { $0.contains(") Entering ") }.count
    }
}

extension VRRPLab {
    /// A keepalived.conf equivalent to `hactlConf(version:password:)` for a node of `priority`.
    static func keepalivedConf(
        host: String, version: Int, priority: Int, password: String?, vip: String = "\(VRRPLab.vip)/24"
    ) -> String {
        var text = """
            global_defs {
                router_id \(host)
                vrrp_version \(version)
            }
            vrrp_instance VI_1 {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority \(priority)
                advert_int 1

            """
        if let password {
            text += "    authentication {\n        auth_type PASS\n        auth_pass \(password)\n    }\n"
        }
        text += "    virtual_ipaddress {\n        \(vip)\n    }\n}\n"
        return text
    }

    /// SIGKILLs a keepalived started by `startKeepalived`: its VRRP child first (read from the
    /// child pid file, with the parent stopped so it cannot respawn it), then the parent.
    func killKeepalived(_ host: String, _ parent: LabProcess) {
        parent.send(SIGSTOP)
        let childFile = "\(lab.runDirectory)/\(host)-ka-vrrp.pid"
        if let text = try? String(contentsOfFile: childFile, encoding: .utf8),
            let child = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(child, SIGKILL)
        }
        parent.send(SIGKILL)
    }
}

extension VRRPLab {
    /// Polls `condition` every 2 ms (up to `timeout`) and expects it to hold within `bound` of
    /// now. When it holds, the measured time is printed, within the bound or not, so every run's
    /// log shows the margin; when it never holds, the issue names `timeout` and `context`.
    func expectWithin(
        _ bound: Duration, _ what: String, timeout: Duration, context: @autoclosure () -> String = "",
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
    ) {
        guard let measured = lab.wait(timeout: timeout, interval: .milliseconds(2), condition) else {
            Issue.record("\(what): not within \(timeout) \(context())", sourceLocation: sourceLocation)
            return
        }
        print("\(what): \(measured) (bound \(bound))")
        #expect(measured <= bound, "\(what) took \(measured)", sourceLocation: sourceLocation)
    }
}
