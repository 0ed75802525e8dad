import HACore
import HAConfig
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// The seeds' haproxy.cfg text, parsed by HAConfig, served by the proxy.
@Suite(.serialized) struct ProxySeedConfigTests {
    /// haproxy-keepalived-ha-guide.txt's defaults/frontend/backend, with loopback addresses.
    static func guideConfig(port1: Int, port2: Int, listen: Int = 18999) -> String {
        """
        global
            maxconn 4000

        defaults
            mode http
            log global
            option httplog
            option dontlognull
            option http-server-close
            option forwardfor except 127.0.0.0/8
            option redispatch
            retries 3
            timeout http-request 10s
            timeout queue 1m
            timeout connect 10s
            timeout client 1m
            timeout server 1m
            timeout http-keep-alive 10s
            timeout check 10s

        frontend main
            mode http
            bind 127.0.0.1:\(listen)
            default_backend nginx

        backend nginx
            mode http
            balance roundrobin
            option httpchk HEAD / HTTP/1.1\\r\\nHost:\\ localhost
            cookie WEBSRV insert indirect nocache
            server web1 127.0.0.1:\(port1) check inter 3s rise 1 fall 2 cookie web1
            server web2 127.0.0.1:\(port2) check cookie web2

        """
    }

    @Test func test_guideConfig_parsesAndMapsToPlan() throws {
        let configuration = try ConfigurationLoader.parse(text: Self.guideConfig(port1: 8001, port2: 8002), file: "haproxy.cfg", dialect: .haproxy)
        let plan = try ProxyPlan(configuration: configuration)
        #expect(plan.frontends[0].connectionMode == .serverClose)
        #expect(plan.frontends[0].httplog)
        #expect(plan.frontends[0].dontlognull)
        #expect(plan.frontends[0].forwardFor?.except == CIDR("127.0.0.0/8"))
        #expect(plan.backends[0].healthCheck?.method == "HEAD")
        #expect(plan.backends[0].healthCheck?.headers == [HTTPField(name: "Host", value: "localhost")])
        #expect(plan.backends[0].redispatch)
        #expect(plan.backends[0].cookie?.indirect == true)
        #expect(plan.backends[0].servers[0].fall == 2)
    }

    @Test func test_guideConfig_servesAlternationAndStickyCookies() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "web1", group: group)
        let s2 = try await TestHTTPServer.start(name: "web2", group: group)
        // The parser wants a real port: take a free one from the kernel.
        let probe = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let listen = try #require(probe.localAddress?.port)
        try await probe.close()
        let configuration = try ConfigurationLoader.parse(text: Self.guideConfig(port1: s1.port, port2: s2.port, listen: listen),
                                                          file: "haproxy.cfg", dialect: .haproxy)
        let service = ProxyService(configuration: configuration, bus: EventBus(), logger: Logger(label: "test"), drainTimeout: .milliseconds(100))
        let task = Task { try await service.run() }
        #expect(try await ProxyHarness.waitUntil(seconds: 5) { service.isAcceptingConnections() })
        let port = try #require(service.boundAddresses().first?.port)
        let a = try TestConnection.get(port: port)
        let b = try TestConnection.get(port: port)
        #expect(Set([a.body, b.body]) == ["This is HTTP server web1\n", "This is HTTP server web2\n"])
        #expect(a.header("set-cookie")?.hasPrefix("WEBSRV=web") == true)
        for _ in 0..<3 {
            #expect(try TestConnection.get(port: port, headers: ["Cookie: WEBSRV=web2"]).body == "This is HTTP server web2\n")
        }
        // The httpchk request as the seed writes it, within a few check intervals.
        #expect(try await ProxyHarness.waitUntil(seconds: 5) {
            s2.requests.contains { $0.method == "HEAD" && $0.uri == "/" && $0.header("host") == "localhost" }
        })
        task.cancel()
        try await task.value
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }
}

/// `log global` decides whether a proxy's lines reach the global targets.
@Suite struct ProxyLogTargetMappingTests {
    func plan(logGlobalLine: String) throws -> ProxyPlan {
        let text = """
            global
                log /dev/log local0

            defaults
                mode http
                \(logGlobalLine)
                option httplog
                timeout connect 5s
                timeout client 5s
                timeout server 5s

            frontend main
                bind 127.0.0.1:18998
                default_backend web

            backend web
                server web1 127.0.0.1:18997
            """
        return try ProxyPlan(configuration: try ConfigurationLoader.parse(text: text, file: "haproxy.cfg", dialect: .haproxy))
    }

    @Test func test_logGlobal_sendsFrontendLinesToTheGlobalTarget() throws {
        #expect(try plan(logGlobalLine: "log global").frontends[0].logTargets == [.syslogUnixSocket(path: "/dev/log", facility: 16)])
    }

    @Test func test_withoutLogGlobal_frontendLogsNowhere() throws {
        #expect(try plan(logGlobalLine: "").frontends[0].logTargets == [])
    }
}

/// `log 127.0.0.1 local0 debug` (the OL9 seed) is UDP syslog.
@Suite struct ProxyUDPLogTargetTests {
    @Test func test_ipLogTarget_mapsToUDPSyslogOnPort514() throws {
        let text = """
            global
                log 127.0.0.1 local0 debug

            defaults
                mode http
                log global
                timeout connect 5s
                timeout client 5s
                timeout server 5s

            frontend main
                bind 127.0.0.1:18996
                default_backend web

            backend web
                server web1 127.0.0.1:18995
            """
        let plan = try ProxyPlan(configuration: try ConfigurationLoader.parse(text: text, file: "haproxy.cfg", dialect: .haproxy))
        #expect(plan.frontends[0].logTargets == [.syslogUDP(host: "127.0.0.1", port: 514, facility: 16)])
    }
}

/// Keywords served with a narrower meaning are logged, not silently dropped.
@Suite struct ProxyPlanWarningTests {
    @Test func test_httpReuseAlways_isServedAsSafeWithAWarning() throws {
        let text = """
            defaults
                mode http
                timeout connect 5s
                timeout client 5s
                timeout server 5s

            frontend main
                bind 127.0.0.1:18994
                default_backend web

            backend web
                http-reuse always
                server web1 127.0.0.1:18993
            """
        let plan = try ProxyPlan(configuration: try ConfigurationLoader.parse(text: text, file: "haproxy.cfg", dialect: .haproxy))
        #expect(plan.backends[0].reuseConnections)
        #expect(plan.warnings.contains { $0.contains("'http-reuse always' is served as 'safe'") })
    }
}
