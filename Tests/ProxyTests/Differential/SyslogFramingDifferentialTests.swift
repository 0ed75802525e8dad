#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HAConfig
import NIOPosix
import Testing
@testable import Proxy

/// The same `log` lines run by HAProxy 2.6 (Debian) and by hactl's proxy, one request through
/// each, every datagram caught by a socket of the test: the framing (PRI, version, timestamp
/// shape, host name, tag, pid, structured data, message, newline, `len`, levels) must agree.
/// Only what must differ is masked: dates and times, pids, the client's port, the timers and %ac/%fc (%B is compared: see LoggedBytes).
@Suite(.serialized, .enabled(if: IncumbentHAProxy.isInstalled, "needs /usr/sbin/haproxy (scripts/bootstrap installs it)"))
struct SyslogFramingDifferentialTests {
    /// One `log` line of the global section, `@PORT@` replaced by its receiver's port.
    struct Target {
        var name: String
        var line: String
    }

    static let targets: [Target] = [
        Target(name: "default", line: "log 127.0.0.1:@PORT@ local0"),
        Target(name: "rfc3164", line: "log 127.0.0.1:@PORT@ format rfc3164 local0"),
        Target(name: "rfc5424", line: "log 127.0.0.1:@PORT@ format rfc5424 local0"),
        Target(name: "local", line: "log 127.0.0.1:@PORT@ format local local1"),
        Target(name: "priority", line: "log 127.0.0.1:@PORT@ format priority local0"),
        Target(name: "short", line: "log 127.0.0.1:@PORT@ format short local0"),
        Target(name: "timed", line: "log 127.0.0.1:@PORT@ format timed local0"),
        Target(name: "iso", line: "log 127.0.0.1:@PORT@ format iso local0"),
        Target(name: "raw", line: "log 127.0.0.1:@PORT@ format raw daemon"),
        Target(name: "len 80", line: "log 127.0.0.1:@PORT@ len 80 local0"),
        Target(name: "capped to debug", line: "log 127.0.0.1:@PORT@ local0 debug debug"),
        Target(name: "max info, min err", line: "log 127.0.0.1:@PORT@ local2 info err"),
        Target(name: "unix socket", line: "log @UNIX@ local7"),
    ]

    /// A target whose level (`notice`) is more severe than a request log's (`info`): nothing arrives.
    static let silent = Target(name: "notice only", line: "log 127.0.0.1:@PORT@ local0 notice")

    @Test(arguments: [
        ("log-tag", "    log-tag hactl\n"),
        ("log-send-hostname", "    log-tag edge-lb\n    log-send-hostname\n"),
        ("log-send-hostname NAME", "    log-tag edge-lb\n    log-send-hostname lb1.example\n"),
        ("frontend log-tag", "    log-send-hostname lb1.example\n@FRONTEND@    log-tag fe-tag\n"),
    ])
    func test_everyFormat_framesTheRequestLogAsHAProxyDoes(_ name: String, _ header: String) async throws {
        let reference = try await observe(header: header, hactl: false)
        let ours = try await observe(header: header, hactl: true)
        for target in Self.targets {
            let theirs = try #require(reference.lines[target.name] ?? nil, "HAProxy sent nothing to \(target.name)")
            let mine = try #require(ours.lines[target.name] ?? nil, "hactl sent nothing to \(target.name)")
            if target.name == "len 80" {
                // Cut to 80 bytes, then the newline; what is cut depends on pid and port lengths.
                #expect(theirs.utf8.count == 81 && theirs.hasSuffix("\n"), "HAProxy: \(theirs.debugDescription)")
                #expect(mine.utf8.count == 81 && mine.hasSuffix("\n"), "hactl: \(mine.debugDescription)")
                continue
            }
            #expect(Self.masked(mine) == Self.masked(theirs), "\(target.name)\nhactl:   \(mine.debugDescription)\nHAProxy: \(theirs.debugDescription)")
        }
        #expect(reference.lines[Self.silent.name] == .some(nil), "HAProxy sent an info line to a notice target")
        #expect(ours.lines[Self.silent.name] == .some(nil), "hactl sent an info line to a notice target: \(String(describing: ours.lines[Self.silent.name]))")
    }

    /// A server's DOWN (`alert`), its backend left with none (`emerg`), then its UP (`notice`):
    /// HAProxy's words, levels, filters and caps on the backend's `log global` targets.
    @Test func test_serverStateLines_matchHAProxysWordsAndLevels() async throws {
        let reference = try await observeServerStates(hactl: false)
        let ours = try await observeServerStates(hactl: true)
        for name in ["default", "rfc5424", "capped to err", "crit only"] {
            let theirs = (reference[name] ?? []).map(Self.maskedCheck)
            let mine = (ours[name] ?? []).map(Self.maskedCheck)
            #expect(theirs.count == (name == "crit only" ? 2 : 3), "HAProxy \(name): \(theirs)")
            #expect(mine == theirs, "\(name)\nhactl:   \(mine)\nHAProxy: \(theirs)")
        }
    }

    func observeServerStates(hactl: Bool) async throws -> [String: [String]] {
        let names = ["default": "local0", "rfc5424": "format rfc5424 local0", "capped to err": "local0 debug err", "crit only": "local0 crit"]
        var receivers: [String: LogReceiver] = [:]
        var global = "global\n    log-tag hactl\n"
        for (name, words) in names.sorted(by: { $0.key < $1.key }) {
            let receiver = LogReceiver(udp: ())
            receivers[name] = receiver
            global += "    log 127.0.0.1:\(receiver.port) \(words)\n"
        }
        let port = try IncumbentHAProxy.freePort()
        let serverPort = try IncumbentHAProxy.freePort()
        let configuration = global + """
        defaults
            mode http
            log global
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend f
            bind 127.0.0.1:\(port)
            default_backend b
        backend b
            server s1 127.0.0.1:\(serverPort) check inter 200 fall 1 rise 1

        """
        func collect() throws -> [String: [String]] {
            var lines: [String: [String]] = [:]
            for name in names.keys {
                // DOWN and "no server available" (every target lets alert and emerg through).
                for _ in 0..<2 { if let line = receivers[name]!.nextDatagram() { lines[name, default: []].append(line) } }
            }
            let listener = try Self.listen(port: serverPort)
            defer { close(listener) }
            for name in names.keys where name != "crit only" {
                if let line = receivers[name]!.nextDatagram() { lines[name, default: []].append(line) }
            }
            receivers["crit only"]!.setTimeout(seconds: 0, microseconds: 300_000)
            if let line = receivers["crit only"]!.nextDatagram() { lines["crit only", default: []].append(line) }
            return lines
        }
        if hactl {
            let parsed = try ConfigurationLoader.parse(text: configuration, file: "server-diff.cfg", dialect: .haproxy)
            var lines: [String: [String]] = [:]
            try await ProxyHarness.withProxy(try ProxyPlan(configuration: parsed)) { _, _ in lines = try collect() }
            return lines
        }
        let haproxy = try IncumbentHAProxy(configuration: configuration, port: port)
        defer { haproxy.stop() }
        return try collect()
    }

    /// A TCP listener on 127.0.0.1:`port`: a layer 4 check passes.
    static func listen(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, Glibc.listen(fd, 16) == 0 else {
            close(fd)
            throw TestConnection.Failure(description: "listen on \(port): errno \(errno)")
        }
        return fd
    }

    /// `masked`, and the check's duration (`check duration: 3ms`) too.
    static func maskedCheck(_ datagram: String) -> String {
        masked(datagram).replacing(#/check duration: \d+ms/#, with: "check duration: <ms>")
    }

    /// What each receiver got for one request (nil: nothing within the wait).
    struct Observation {
        var lines: [String: String?] = [:]
    }

    func observe(header: String, hactl: Bool) async throws -> Observation {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "s1", group: group)
        let unix = LogReceiver(path: "/tmp/hp-syslog-diff-\(getpid()).sock")
        var receivers: [(Target, LogReceiver)] = []
        let parts = header.components(separatedBy: "@FRONTEND@")
        let frontendLines = parts.count > 1 ? parts[1] : ""
        var global = "global\n" + parts[0]
        for target in Self.targets + [Self.silent] {
            let receiver = target.line.contains("@UNIX@") ? unix : LogReceiver(udp: ())
            receivers.append((target, receiver))
            global += "    " + target.line.replacingOccurrences(of: "@PORT@", with: "\(receiver.port)").replacingOccurrences(of: "@UNIX@", with: unix.path) + "\n"
        }
        let port = try IncumbentHAProxy.freePort()
        let configuration = global + """
        defaults
            mode http
            log global
            option httplog
            # The readiness probe of IncumbentHAProxy connects and sends nothing: not logged.
            option dontlognull
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend f
            bind 127.0.0.1:\(port)
        \(frontendLines)    default_backend b
        backend b
            server s1 127.0.0.1:\(server.port)

        """
        func collect() -> Observation {
            var observation = Observation()
            for (target, receiver) in receivers where target.name != Self.silent.name {
                observation.lines[target.name] = .some(receiver.nextDatagram())
            }
            // Every other target has its line by now: the silent one had the same chance.
            let silent = receivers.last!.1
            silent.setTimeout(seconds: 0, microseconds: 300_000)
            observation.lines[Self.silent.name] = .some(silent.nextDatagram())
            return observation
        }
        var observation = Observation()
        do {
            if hactl {
                let parsed = try ConfigurationLoader.parse(text: configuration, file: "syslog-diff.cfg", dialect: .haproxy)
                try await ProxyHarness.withProxy(try ProxyPlan(configuration: parsed)) { _, bound in
                    _ = try TestConnection.get(port: bound, path: "/a?b=1")
                    observation = collect()
                }
            } else {
                let haproxy = try IncumbentHAProxy(configuration: configuration, port: port)
                defer { haproxy.stop() }
                _ = try TestConnection.get(port: port, path: "/a?b=1")
                observation = collect()
            }
        } catch {
            await server.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
        return observation
    }

    /// The datagram with what must differ between two processes and two runs replaced by its kind.
    static func masked(_ datagram: String) -> String {
        var text = datagram
        let replacements: [(Regex<Substring>, String)] = [
            (#/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d/#, "<iso-date>"),
            (#/[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d/#, "<rfc3164-date>"),
            (#/\[\d+\]: /#, "[<pid>]: "),
            (#/127\.0\.0\.1:\d+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/#, "127.0.0.1:<port> [<accept-date>]"),
            (#/ -?\d+\/-?\d+\/-?\d+\/-?\d+\/-?\d+ /#, " <timers> "),
            // %ac/%fc: HAProxy may still count IncumbentHAProxy's readiness probe as open.
            (#/ ---- \d+\/\d+\//#, " ---- <ac>/<fc>/"),
        ]
        for (pattern, replacement) in replacements { text.replace(pattern, with: replacement, maxReplacements: 1) }
        // RFC 5424 §6: `<PRI>1 DATE HOST TAG PID - - `: the pid is the fifth header field.
        text.replace(#/^(<\d+>1 <iso-date> \S+ \S+) \d+ /#, maxReplacements: 1) { match in "\(match.1) <pid> " }
        return text
    }
}
