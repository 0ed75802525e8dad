#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// `option httplog` lines and frontend `maxconn`.
@Suite(.serialized) struct ProxyLogAndLimitTests {
    @Test func test_httplog_lineHasHAProxysFields() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let receiver = LogReceiver(path: "/tmp/hp-log-\(getpid()).sock")
        var plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: { $0.httplog = true }
        plan.logTargets = [.syslogUnixSocket(path: receiver.path, facility: 16)]
        try await ProxyHarness.withProxy(plan) { _, port in
            _ = try TestConnection.get(port: port, path: "/index.html")
            let line = try #require(receiver.next())
            // <134>Nov 23 11:04:05 hactl[PID]: 127.0.0.1:PORT [23/Nov/2026:11:04:05.123] http-incoming app/websvr1 0/0/1/2/3 200 150 - - ---- 1/1/0/0/0 0/0 "GET /index.html HTTP/1.1"
            let pattern = #/^<134>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d hactl\[\d+\]: 127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] http-incoming app/websvr1 \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/0 0/0 "GET /index.html HTTP/1.1"$/#
            #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_frontendMaxconn_holdsTheNextClientUntilOneLeaves() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        var plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: { $0.maxconn = 1 }
        plan.threads = 1
        try await ProxyHarness.withProxy(plan) { _, port in
            var first: TestConnection? = try TestConnection(port: port)
            try first?.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try first?.readResponse().status == 200)
            let second = try TestConnection(port: port, timeoutMilliseconds: 300)
            try second.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(throws: TestConnection.Failure.self) { try second.readResponse() }
            first = nil
            #expect(try second.readResponseWithRetries(attempts: 10).status == 200)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    /// With two event loops, `maxconn` still counts the process: per-loop shares would refuse a
    /// client whenever SO_REUSEPORT put more than half of them on one loop.
    @Test func test_globalMaxconn_countsEveryLoop_notAShareOfEach() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        var plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: { _ in }
        plan.threads = 2
        plan.maxconn = 8
        try await ProxyHarness.withProxy(plan) { _, port in
            // Eight keep-alive clients, each served while all of them stay open.
            var clients: [TestConnection] = []
            for _ in 0..<8 {
                let client = try TestConnection(port: port, timeoutMilliseconds: 2000)
                try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try client.readResponse().status == 200)
                clients.append(client)
            }
            // The ninth waits in the backlog until one of the eight leaves.
            let ninth = try TestConnection(port: port, timeoutMilliseconds: 300)
            try ninth.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(throws: TestConnection.Failure.self) { try ninth.readResponse() }
            clients.removeFirst()
            #expect(try ninth.readResponseWithRetries(attempts: 10).status == 200)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_sessionAdmission_reportsCrossingTheLimitBothWays() {
        let admission = SessionAdmission(globalLimit: 3, frontendLimits: [2, 10])
        #expect(!admission.opened(frontend: 0))
        #expect(admission.opened(frontend: 0), "frontend 0 reached its maxconn 2")
        #expect(!admission.admits(frontend: 0))
        #expect(admission.admits(frontend: 1))
        #expect(admission.opened(frontend: 1), "the process reached maxconn 3")
        #expect(!admission.admits(frontend: 1))
        #expect(admission.closed(frontend: 1), "the process left maxconn")
        #expect(admission.admits(frontend: 1))
        #expect(!admission.admits(frontend: 0), "frontend 0 is still at its own limit")
        #expect(admission.closed(frontend: 0))
        #expect(admission.admits(frontend: 0))
    }

    @Test func test_descriptorLimit_capsGlobalMaxconn() {
        let limits = ConnectionLimits(requested: 50000, descriptorLimit: 20000)
        #expect(limits.isCapped)
        #expect(limits.globalMaxconn == (20000 - ConnectionLimits.reserve) / 2)
        #expect(!ConnectionLimits(requested: 4000, descriptorLimit: 20000).isCapped)
    }
}

/// `option dontlognull`.
@Suite(.serialized) struct ProxyNullConnectionLogTests {
    /// What the client does before its real request.
    enum First {
        /// Connects and closes without a byte.
        case nullConnection
        /// Connects and closes as the liveness probe does, registered as the probe's.
        case probeConnection
        /// Sends a request the proxy refuses (a fragment in the target).
        case invalidRequest
    }

    /// Log lines up to and including the one of a request sent after the null connection,
    /// and the frontend's session count once that request is answered.
    func run(dontlognull: Bool, first: First = .nullConnection) async throws -> [String] {
        try await runCounting(dontlognull: dontlognull, first: first).lines
    }

    func runCounting(dontlognull: Bool, first: First) async throws -> (lines: [String], sessions: Int) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let receiver = LogReceiver(path: "/tmp/hp-nulllog-\(getpid()).sock")
        var plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: {
            $0.httplog = true
            $0.dontlognull = dontlognull
        }
        plan.logTargets = [.syslogUnixSocket(path: receiver.path, facility: 16)]
        plan.threads = 1
        var lines: [String] = []
        var sessions = -1
        let probes = ProbeConnections()
        try await ProxyHarness.withProxy(plan, probeConnections: probes) { service, port in
            switch first {
            case .nullConnection:
                var probe: TestConnection? = try TestConnection(port: port)
                _ = probe
                probe = nil
            case .probeConnection:
                let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
                probes.register(try #require(channel.localAddress))
                try await channel.close()
            case .invalidRequest:
                let connection = try TestConnection(port: port)
                try connection.send("GET /admin#x HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try connection.readResponse().status == 400)
            }
            // A real request afterwards, so the receiver always gets a line to read.
            _ = try TestConnection.get(port: port, path: "/after")
            while lines.count < 3, let line = receiver.next() {
                lines.append(line)
                if line.contains("GET /after") { break }
            }
            sessions = await service.snapshot().frontends[0].counters.totalSessions
        }
        await s1.stop()
        try await group.shutdownGracefully()
        return (lines, sessions)
    }

    @Test func test_nullConnection_isLoggedWithoutDontlognull() async throws {
        let lines = try await run(dontlognull: false)
        // HAProxy 2.6: `FRONTEND FRONTEND/<NOSRV> -1/-1/-1/-1/0 400 0 - - CR-- ... "<BADREQ>"`.
        #expect(lines.contains { $0.contains(" http-incoming/<NOSRV> -1/-1/-1/-1/") && $0.contains(" 400 0 - - CR-- ") && $0.hasSuffix("\"<BADREQ>\"") }, "\(lines.joined(separator: "\n"))")
    }

    @Test(arguments: [false, true])
    func test_invalidRequest_isLoggedAsBADREQWithPR(dontlognull: Bool) async throws {
        let lines = try await run(dontlognull: dontlognull, first: .invalidRequest)
        #expect(!lines.contains { $0.contains(" CR-- ") }, "one line for the refused request, not a null connection too")
        // HAProxy 2.6: `FRONTEND FRONTEND/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- ... "<BADREQ>"`, with or without dontlognull.
        #expect(lines.contains { $0.contains(" http-incoming/<NOSRV> -1/-1/-1/-1/") && $0.contains(" 400 0 - - PR-- ") && $0.hasSuffix("\"<BADREQ>\"") }, "\(lines.joined(separator: "\n"))")
    }

    @Test func test_livenessProbeConnection_isNeitherLoggedNorCounted() async throws {
        let (lines, sessions) = try await runCounting(dontlognull: false, first: .probeConnection)
        #expect(lines.last?.contains("GET /after") == true, "\(lines)")
        #expect(!lines.contains { $0.contains("<BADREQ>") }, "\(lines)")
        #expect(sessions == 1, "only the client's request is a session")
    }

    @Test func test_nullConnection_isNotLoggedWithDontlognull() async throws {
        let lines = try await run(dontlognull: true)
        #expect(lines.last?.contains("GET /after") == true, "\(lines)")
        #expect(!lines.contains { $0.contains("<BADREQ>") }, "\(lines)")
    }
}

/// `option tcplog` in `mode tcp`.
@Suite(.serialized) struct ProxyTCPLogTests {
    @Test func test_tcplog_lineHasHAProxysFields() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let echo = try await RawTCPServer.start(group: group, behaviour: .echo)
        let receiver = LogReceiver(path: "/tmp/hp-tcplog-\(getpid()).sock")
        var frontend = FrontendPlan(name: "f", mode: .tcp, binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)
        frontend.tcplog = true
        let plan = ProxyPlan(threads: 1, logTargets: [.syslogUnixSocket(path: receiver.path, facility: 16)], frontends: [frontend],
                             backends: [BackendPlan(name: "b", mode: .tcp, servers: [ServerPlan(name: "e", host: "127.0.0.1", port: echo.port)])])
        try await ProxyHarness.withProxy(plan) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("12345")
            connection.shutdownWrite()
            #expect(try connection.readToEnd() == "12345bye")
            let line = try #require(receiver.next())
            let pattern = #/^<134>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d hactl\[\d+\]: 127\.0\.0\.1:\d+ \[[^\]]+\] f b/e 0/\d+/\d+ 8 -- \d+/\d+/0/0/0 0/0$/#
            #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
        }
        await echo.stop()
        try await group.shutdownGracefully()
    }
}

/// Closed sessions give their `maxconn` slot back, however they end.
@Suite(.serialized) struct ProxySessionAccountingTests {
    @Test func test_manyClosedConnections_neverExhaustFrontendMaxconn() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        var plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: { $0.maxconn = 2 }
        plan.threads = 1
        try await ProxyHarness.withProxy(plan) { service, port in
            // Connection: close (proxy closes), a 400 (proxy closes), and a client close.
            for _ in 0..<5 {
                #expect(try TestConnection.get(port: port).status == 200)
                let bad = try TestConnection(port: port)
                try bad.send("GET / HTTP/9.9\r\n\r\n")
                #expect(try bad.readResponse().status == 400)
                var idle: TestConnection? = try TestConnection(port: port)
                _ = idle
                idle = nil
            }
            #expect(try TestConnection.get(port: port).status == 200)
            let settled = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().frontends[0].counters.currentSessions == 0
            }
            #expect(settled)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }
}
