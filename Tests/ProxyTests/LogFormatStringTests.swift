import HACore
import HAConfig
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// HAProxy §8.2.4 log-format strings, compiled from the configuration and evaluated against one
/// request. Expected values are what HAProxy 2.6 sends for the same request.
@Suite struct LogFormatStringTests {
    static let facts = RequestFacts(
        head: HTTPRequestHead(method: "GET", target: "/p/a%20b?x=1&y=2", fields: HTTPFields([
            HTTPField(name: "Host", value: "WWW.Example.COM:8080"),
            HTTPField(name: "X-M", value: "a"),
            HTTPField(name: "X-M", value: "b,c"),
            HTTPField(name: "X-F", value: "one:two::three"),
        ])),
        source: try? SocketAddress(ipAddress: "192.0.2.10", port: 51234),
        destinationPort: 8443,
        destination: try? SocketAddress(ipAddress: "198.51.100.1", port: 8443),
        frontendName: "fe",
        wallClockNanoseconds: 1_796_075_918_168_000_000
    )
    static let backendScope = ProxyPlan.LogFormatScope(frontendName: nil, backendName: "be", host: LogFormatHost(hostname: "lb1", pid: 4242))
    static let frontendScope = ProxyPlan.LogFormatScope(frontendName: "fe", backendName: nil, host: LogFormatHost(hostname: "lb1", pid: 4242))

    func compiled(_ text: String, scope: ProxyPlan.LogFormatScope = backendScope) throws -> LogFormatString {
        try ProxyPlan.logFormat(try LogFormat(parsing: text), scope: scope, location: .builtIn)
    }

    static let table: [(format: String, expected: String)] = [
        // Layer 4 fetches (§7.3.2)
        ("%[src]", "192.0.2.10"),
        ("%[src_port]", "51234"),
        ("%[dst]", "198.51.100.1"),
        ("%[dst_port]", "8443"),
        // HTTP fetches (§7.3.6): req.hdr splits at commas and defaults to the last element
        ("%[req.hdr(host)]", "WWW.Example.COM:8080"),
        ("%[req.hdr(x-m)]", "c"),
        ("%[req.hdr(x-m,1)]", "a"),
        ("%[hdr(x-m,2)]", "b"),
        ("%[req.hdr(x-m,-2)]", "b"),
        ("%[req.hdr(x-m,9)]", ""),
        ("%[req.fhdr(x-m)]", "b,c"),
        ("%[req.hdr(x-nope)]", ""),
        ("a%[req.hdr(x-nope)]b", "ab"),
        ("%[path]", "/p/a%20b"),
        ("%[url]", "/p/a%20b?x=1&y=2"),
        ("%[query]", "x=1&y=2"),
        ("%[method]", "GET"),
        ("%[base]", "WWW.Example.COM:8080/p/a%20b"),
        ("%[req.ver]", "1.1"),
        ("%[fe_name]", "fe"),
        ("%[be_name]", "be"),
        ("%[be_name,upper]", "BE"),
        ("%[ssl_fc]", "0"),
        ("%[ssl_fc_sni]", ""),
        // Converters (§7.3.1), typed as HAProxy types them
        ("%[req.hdr(host),lower]", "www.example.com:8080"),
        ("%[req.hdr(host),upper]", "WWW.EXAMPLE.COM:8080"),
        ("%[req.hdr(host),upper,base64]", "V1dXLkVYQU1QTEUuQ09NOjgwODA="),
        ("%[req.hdr(host),hex]", "5757572E4578616D706C652E434F4D3A38303830"),
        ("%[dst_port,hex]", "00000000000020FB"),
        ("%[src,hex]", "C000020A"),
        ("%[src,base64]", "wAACCg=="),
        ("%[ssl_fc,hex]", "0000000000000000"),
        ("%[method,lower]", "get"),
        ("%[src,lower]", "192.0.2.10"),
        ("%[req.hdr(x-f),field(2,:)]", "two"),
        ("%[req.hdr(x-f),field(3,:)]", ""),
        ("%[req.hdr(x-f),field(-1,:)]", "three"),
        ("%[req.hdr(x-f),field(9,:)]", ""),
        ("%[req.hdr(x-f),word(2,:)]", "two"),
        ("%[req.hdr(x-f),word(3,:)]", "three"),
        ("%[req.hdr(x-f),word(-1,:)]", "three"),
        // Variables (§8.2.4)
        ("%ci:%cp", "192.0.2.10:51234"),
        ("%fi:%fp", "198.51.100.1:8443"),
        ("%f/%ft/%b", "fe/fe/be"),
        ("%H %pid", "lb1 4242"),
        ("%T", "30/Nov/2026:21:58:38 +0000"),
        ("%Ts", "1796075918"),
        ("%HM %HU %HP %HQ %HV", "GET /p/a%20b?x=1&y=2 /p/a%20b ?x=1&y=2 HTTP/1.1"),
        ("%r", "GET /p/a%20b?x=1&y=2 HTTP/1.1"),
        ("100%%", "100%"),
        ("%%%ci%%", "%192.0.2.10%"),
        ("%[src]]", "192.0.2.10]"),
    ]

    @Test(arguments: table)
    func test_format_evaluatesAsHAProxyDoes(_ item: (format: String, expected: String)) throws {
        #expect(try compiled(item.format).evaluate(Self.facts) == item.expected)
    }

    @Test func test_localDate_hasMillisecondsFromTheRequestClock() throws {
        let value = try compiled("%t").evaluate(Self.facts)
        #expect(value.wholeMatch(of: /\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:38\.168/) != nil, "\(value)")
    }

    @Test func test_valueWithoutPercent_compilesToALiteral() throws {
        #expect(try compiled("hactl") == .literal("hactl"))
        #expect(try compiled("100%%") == .literal("100%"))
    }

    @Test func test_configurationConstants_areFoldedIntoText() throws {
        // %f in a frontend, %b and be_name in a backend, %H and %pid: nothing left to do per request.
        #expect(try compiled("%f-%H-%pid", scope: Self.frontendScope) == .literal("fe-lb1-4242"))
        #expect(try compiled("%b:%[be_name]") == .literal("be:be"))
    }

    @Test func test_frontendNameInABackend_isReadPerRequest() throws {
        var facts = Self.facts
        facts.frontendName = "other"
        #expect(try compiled("%f").evaluate(facts) == "other")
    }

    @Test func test_sslFetches_sayNoTLSUntilItLands() throws {
        var facts = Self.facts
        facts.tls = true
        #expect(try compiled("%[ssl_fc]").evaluate(facts) == "1")
        #expect(try compiled("%[ssl_fc_sni]").evaluate(facts) == "")
    }

    @Test func test_backendNameInAFrontend_isRefusedByThePlan() throws {
        #expect(throws: ProxyError.self) { try compiled("%[be_name]", scope: Self.frontendScope) }
    }

    @Test func test_setHeader_readsTheOldValueBeforeReplacingIt() throws {
        var facts = Self.facts
        let rules = [HTTPRequestRule(action: .setHeader(name: "Host", value: try compiled("%[req.hdr(host),lower]")))]
        _ = rules.apply(to: &facts)
        #expect(facts.head.fields.values("host") == ["www.example.com:8080"])
    }

    @Test func test_redirectLocation_isEvaluated() throws {
        var facts = Self.facts
        let rules = [HTTPRequestRule(action: .redirectLocation(try compiled("https://%[req.hdr(host),lower]%[path]"), code: 301))]
        guard case .redirect(let location, let code, _) = rules.apply(to: &facts) else {
            Issue.record("expected a redirect")
            return
        }
        #expect(location == "https://www.example.com:8080/p/a%20b")
        #expect(code == 301)
    }

    @Test func test_redirectPrefix_isEvaluatedThenGetsTheTarget() throws {
        var facts = Self.facts
        let rules = [HTTPRequestRule(action: .redirectPrefix(try compiled("https://%[req.hdr(host)]/x"), code: 302))]
        guard case .redirect(let location, _, _) = rules.apply(to: &facts) else {
            Issue.record("expected a redirect")
            return
        }
        #expect(location == "https://WWW.Example.COM:8080/x/p/a%20b?x=1&y=2")
    }
}

/// The same strings through a real socket: hactl.conf text, the proxy, a backend that records heads.
@Suite(.serialized) struct LogFormatForwardingTests {
    static func config(server: Int, listen: Int) -> String {
        """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:\(listen)
            http-request redirect location https://%[req.hdr(host)]%[path] if { path_beg /old }
            http-request set-header X-Client %[src]
            http-request set-header X-Host %[req.hdr(host),lower]
            http-request set-header X-CI %ci:%cp
            http-request add-header X-Literal "100%% %[method] %f"
            default_backend be
        backend be
            http-request set-header X-Backend %b
            server s1 127.0.0.1:\(server)
        """
    }

    @Test func test_sampleExpressionsAndVariables_reachTheBackendWithRealValues() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "web1", group: group)
        let probe = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let listen = try #require(probe.localAddress?.port)
        try await probe.close()
        let configuration = try ConfigurationLoader.parse(text: Self.config(server: server.port, listen: listen), file: "hactl.conf", dialect: nil)
        let service = ProxyService(configuration: configuration, bus: EventBus(), logger: Logger(label: "test"), drainTimeout: .milliseconds(100))
        let task = Task { try await service.run() }
        #expect(try await ProxyHarness.waitUntil(seconds: 5) { service.isAcceptingConnections() })
        let port = try #require(service.boundAddresses().first?.port)

        let connection = try TestConnection(port: port)
        try connection.send("GET /app?q=1 HTTP/1.1\r\nHost: WWW.Example.COM\r\nConnection: close\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        let received = try #require(server.trafficRequests.last)
        #expect(received.header("x-client") == "127.0.0.1")
        #expect(received.header("x-host") == "www.example.com")
        #expect(received.header("x-ci") == "127.0.0.1:\(connection.localPort)")
        #expect(received.header("x-literal") == "100% GET fe")
        #expect(received.header("x-backend") == "be")

        let redirect = try TestConnection.get(port: port, path: "/old/page?x=1")
        #expect(redirect.status == 302)
        #expect(redirect.header("location") == "https://127.0.0.1/old/page")
        #expect(server.trafficRequests.count == 1)

        task.cancel()
        try await task.value
        await server.stop()
        try await group.shutdownGracefully()
    }
}
