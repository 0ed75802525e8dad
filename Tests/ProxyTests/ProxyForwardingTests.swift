import HACore
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// The proxy in front of real HTTP servers on 127.0.0.1, driven by a real client.
@Suite(.serialized) struct ProxyForwardingTests {
    @Test func test_roundRobin_alternatesBetweenWebsvr1AndWebsvr2() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(ProxyHarness.plan(servers: [s1, s2])) { _, port in
            var bodies: [String] = []
            for _ in 0..<6 { bodies.append(try TestConnection.get(port: port).body) }
            let expected = bodies[0] == "This is HTTP server websvr1\n"
                ? ["websvr1", "websvr2", "websvr1", "websvr2", "websvr1", "websvr2"]
                : ["websvr2", "websvr1", "websvr2", "websvr1", "websvr2", "websvr1"]
            #expect(bodies == expected.map { "This is HTTP server \($0)\n" })
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_keepAliveClient_requestsReuseOnePooledServerConnection() async throws {
        try await ProxyHarness.withOneServer { s1, port in
            let connection = try TestConnection(port: port)
            for _ in 0..<5 {
                try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(try connection.readResponse().status == 200)
            }
            #expect(s1.trafficRequests.count == 5)
            #expect(s1.connectionsAccepted.load(ordering: .relaxed) == 1)
        }
    }

    @Test func test_pipelinedRequests_areAnsweredInOrder() async throws {
        try await ProxyHarness.withOneServer { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /status/404 HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try connection.readResponse().status == 200)
            #expect(try connection.readResponse().status == 404)
        }
    }

    @Test func test_forwardfor_addsClientAddressUnlessExcepted() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: { $0.forwardFor = ForwardForPlan() }
        try await ProxyHarness.withProxy(plan) { _, port in
            _ = try TestConnection.get(port: port)
            #expect(s1.trafficRequests.last?.header("x-forwarded-for") == "127.0.0.1")
            #expect(s1.trafficRequests.last?.header("via") == nil)
        }
        let excepted = ProxyHarness.plan(servers: [s1]) { _ in } frontend: {
            $0.forwardFor = ForwardForPlan(except: CIDR("127.0.0.0/8"))
        }
        try await ProxyHarness.withProxy(excepted) { _, port in
            _ = try TestConnection.get(port: port)
            #expect(s1.trafficRequests.last?.header("x-forwarded-for") == nil)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_hopByHopHeaders_areNotForwarded() async throws {
        try await ProxyHarness.withOneServer { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Secret, keep-alive\r\nX-Secret: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n\r\n")
            #expect(try connection.readResponse().status == 200)
            let seen = s1.trafficRequests.last
            #expect(seen?.header("x-secret") == nil)
            #expect(seen?.header("keep-alive") == nil)
            #expect(seen?.header("te") == nil)
        }
    }

    @Test func test_largeUploadAndDownload_streamThroughIntact() async throws {
        try await ProxyHarness.withOneServer { _, port in
            let size = 8 * 1024 * 1024
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n")
            try connection.send([UInt8](repeating: 0x61, count: size))
            #expect(try connection.readResponse().body == "received \(size) bytes\n")
            try connection.send("GET /big?n=\(size) HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try connection.readResponse().body.utf8.count == size)
        }
    }

    @Test func test_slowClient_slowsTheServerInsteadOfFillingTheProxy() async throws {
        try await ProxyHarness.withOneServer { s1, port in
            let size = 48 * 1024 * 1024
            let connection = try TestConnection(port: port, timeoutMilliseconds: 20000)
            try connection.send("GET /big?n=\(size) HTTP/1.1\r\nHost: a\r\n\r\n")
            // The client reads nothing: the server's write must stay pending (bounded wait for an absence).
            // (Without backpressure the proxy swallows the whole body in about 1 s, even in a debug build;
            // the kernel's loopback buffers on both hops hold well under 48 MB.)
            let finishedEarly = try await ProxyHarness.waitUntil(seconds: 4) { s1.responsesWritten.load(ordering: .relaxed) > 0 }
            #expect(!finishedEarly)
            #expect(try connection.readResponse().body.utf8.count == size)
            #expect(try await ProxyHarness.waitUntil(seconds: 5) { s1.responsesWritten.load(ordering: .relaxed) == 1 })
        }
    }

    @Test func test_chunkedUpload_isForwardedWithItsFraming() async throws {
        try await ProxyHarness.withOneServer { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            try connection.send("6\r\n world\r\n0\r\n\r\n")
            #expect(try connection.readResponse().body == "received 11 bytes\n")
        }
    }

    @Test func test_allServersDown_answersHAProxys503Page() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let port1 = s1.port
        await s1.stop()
        _ = port1
        let plan = ProxyHarness.plan(servers: [s1]) { $0.retries = 1 }
        try await ProxyHarness.withProxy(plan) { _, port in
            let response = try TestConnection.get(port: port)
            #expect(response.status == 503)
            #expect(response.body.contains("No server is available to handle this request."))
        }
        try await group.shutdownGracefully()
    }

    @Test func test_serverSendingGarbage_gives502() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let garbage = try await RawTCPServer.start(group: group, behaviour: .reply("NOT HTTP AT ALL\r\n\r\n"))
        var plan = ProxyPlan(threads: 1, frontends: [FrontendPlan(name: "f", binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)],
                             backends: [BackendPlan(name: "b", servers: [ServerPlan(name: "g", host: "127.0.0.1", port: garbage.port)])])
        plan.backends[0].retries = 0
        try await ProxyHarness.withProxy(plan) { _, port in
            let response = try TestConnection.get(port: port)
            #expect(response.status == 502)
        }
        await garbage.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_aclRouting_pathBegAndHostHeader() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let web = try await TestHTTPServer.start(name: "nginx", group: group)
        let t1 = try await TestHTTPServer.start(name: "test1", group: group)
        let t2 = try await TestHTTPServer.start(name: "test2", group: group)
        let backends = [web, t1, t2].map { BackendPlan(name: $0.name, servers: [ServerPlan(name: $0.name, host: "127.0.0.1", port: $0.port)]) }
        let routes = [
            RouteRule(backend: 1, condition: .test(try ACLTest(criterion: .pathBeginning, values: ["/test1"]))),
            RouteRule(backend: 2, condition: .test(try ACLTest(criterion: .headerBeginning("host"), values: ["www.test2.com"]))),
        ]
        let frontend = FrontendPlan(name: "main", binds: [BindPlan(host: "127.0.0.1", port: 0)], routes: routes, defaultBackend: 0)
        try await ProxyHarness.withProxy(ProxyPlan(threads: 1, frontends: [frontend], backends: backends)) { _, port in
            #expect(try TestConnection.get(port: port, path: "/test1/x").body == "This is HTTP server test1\n")
            let viaHost = try TestConnection(port: port)
            try viaHost.send("GET / HTTP/1.1\r\nHost: www.test2.com\r\nConnection: close\r\n\r\n")
            #expect(try viaHost.readResponse().body == "This is HTTP server test2\n")
            #expect(try TestConnection.get(port: port, path: "/other").body == "This is HTTP server nginx\n")
        }
        for s in [web, t1, t2] { await s.stop() }
        try await group.shutdownGracefully()
    }

    @Test func test_httpRequestDenyAndRedirect_answerWithoutForwarding() async throws {
        try await ProxyHarness.withOneServer(frontend: { frontend in
            frontend.requestRules = [
                HTTPRequestRule(action: .deny(status: 403), condition: .test(try! ACLTest(criterion: .pathBeginning, values: ["/admin"]))),
                HTTPRequestRule(action: .redirectScheme("https", code: 301), condition: .test(try! ACLTest(criterion: .pathBeginning, values: ["/secure"]))),
            ]
        }) { s1, port in
            #expect(try TestConnection.get(port: port, path: "/admin").status == 403)
            let redirect = try TestConnection.get(port: port, path: "/secure/a")
            #expect(redirect.status == 301)
            #expect(redirect.header("location") == "https://127.0.0.1/secure/a")
            #expect(s1.trafficRequests.isEmpty)
        }
    }

    @Test func test_tcpMode_relaysBothDirectionsAndHalfClose() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let echo = try await RawTCPServer.start(group: group, behaviour: .echo)
        let plan = ProxyPlan(threads: 1, frontends: [FrontendPlan(name: "f", mode: .tcp, binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)],
                             backends: [BackendPlan(name: "b", mode: .tcp, servers: [ServerPlan(name: "e", host: "127.0.0.1", port: echo.port)])])
        try await ProxyHarness.withProxy(plan) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("hello through tcp")
            connection.shutdownWrite()
            #expect(try connection.readToEnd() == "hello through tcpbye")
        }
        await echo.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_statistics_countSessionsAndResponses() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        try await ProxyHarness.withProxy(ProxyHarness.plan(servers: [s1])) { service, port in
            for _ in 0..<3 { _ = try TestConnection.get(port: port) }
            _ = try TestConnection.get(port: port, path: "/status/404")
            let stats = await service.snapshot()
            #expect(stats.frontends[0].counters.totalSessions == 4)
            #expect(stats.frontends[0].counters.responses2xx == 3)
            #expect(stats.backends[0].servers[0].counters.responses4xx == 1)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }
}
