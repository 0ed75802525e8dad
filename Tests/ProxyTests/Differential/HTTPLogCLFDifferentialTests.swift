#if canImport(Glibc)
import Glibc
#endif
import HAConfig
import NIOPosix
import Testing
@testable import Proxy

/// `option httplog clf` run by HAProxy 2.6 and by hactl's proxy for the same requests (one with
/// captured headers, one that is not HTTP): the CLF lines must agree field by field. Masked:
/// the request date, the client's port, the accept milliseconds, the timers and
/// %ac/%fc (HAProxy may not have seen the previous request's connection close yet).
@Suite(.serialized, .enabled(if: IncumbentHAProxy.isInstalled, "needs /usr/sbin/haproxy (scripts/bootstrap installs it)"))
struct HTTPLogCLFDifferentialTests {
    static let requests = [
        "GET /a?b=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/7.88.1\r\nConnection: close\r\n\r\n",
        "GET /q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "garbage\r\n\r\n",
    ]

    @Test func test_httplogCLF_linesMatchHAProxys() async throws {
        let reference = try await observe(hactl: false)
        let ours = try await observe(hactl: true)
        #expect(reference.count == Self.requests.count && ours.count == Self.requests.count, "HAProxy: \(reference)\nhactl: \(ours)")
        for (mine, theirs) in zip(ours, reference) {
            #expect(Self.masked(mine) == Self.masked(theirs), "\nhactl:   \(mine.debugDescription)\nHAProxy: \(theirs.debugDescription)")
            // The mask itself must have matched: an unmasked line would compare its timers.
            #expect(Self.masked(mine).contains("<timers>"), "\(mine.debugDescription)")
        }
    }

    @Test func test_plainHttplog_afterCLFInDefaults_clearsCLF() throws {
        let text = "defaults\n    mode http\n    option httplog clf\nfrontend f\n    bind :80\n    option httplog\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "clf.cfg", dialect: .haproxy)
        #expect(configuration.frontends[0].httplog && !configuration.frontends[0].httplogCLF)
        let inherited = try ConfigurationLoader.parse(text: text.replacingOccurrences(of: "    option httplog\n    default_backend", with: "    default_backend"),
                                                      file: "clf.cfg", dialect: .haproxy)
        #expect(inherited.frontends[0].httplogCLF)
    }

    func observe(hactl: Bool) async throws -> [String] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "s1", group: group)
        let receiver = LogReceiver(udp: ())
        let port = try IncumbentHAProxy.freePort()
        let configuration = """
        global
            log 127.0.0.1:\(receiver.port) format raw local0
        defaults
            mode http
            log global
            option httplog clf
            option dontlognull
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend f
            bind 127.0.0.1:\(port)
            capture request header Host len 20
            capture request header User-Agent len 10
            capture response header Content-Type len 8
            default_backend b
        backend b
            server s1 127.0.0.1:\(server.port)

        """
        func run(_ port: Int) throws -> [String] {
            var lines: [String] = []
            for request in Self.requests {
                let connection = try TestConnection(port: port)
                try connection.send(request)
                _ = try? connection.readToEnd()
                if let line = receiver.nextDatagram() { lines.append(line) }
            }
            return lines
        }
        var lines: [String] = []
        do {
            if hactl {
                let parsed = try ConfigurationLoader.parse(text: configuration, file: "clf-diff.cfg", dialect: .haproxy)
                try await ProxyHarness.withProxy(try ProxyPlan(configuration: parsed)) { _, bound in lines = try run(bound) }
            } else {
                let haproxy = try IncumbentHAProxy(configuration: configuration, port: port)
                defer { haproxy.stop() }
                lines = try run(port)
            }
        } catch {
            await server.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
        return lines
    }

    /// `%ci - - [%trg] %r %ST %B "" "" %cp %ms "%ft" "%b" "%s" %TR %Tw %Tc %Tr %Ta %tsc %ac %fc ...` with the
    /// values that must differ replaced by their names (the date must still have %trg's shape).
    static func masked(_ line: String) -> String {
        let pattern = #/^(\S+ - - )\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\]( "[^"]*" \d{3} \d+ "" "" )\d+ \d{3}( "[^"]*" "[^"]*" "[^"]*" )-?\d+ -?\d+ -?\d+ -?\d+ -?\d+ (\S+) \d+ \d+ /#
        return line.replacing(pattern, maxReplacements: 1) { match in
            "\(match.1)[<trg>]\(match.2)<port> <ms>\(match.3)<timers> \(match.4) <ac> <fc> "
        }
    }
}
