import HACore
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// `option http-server-close`, `option httpclose`, `timeout http-keep-alive`, `errorfile`, `observe layer7`.
@Suite(.serialized) struct ProxyConnectionModeTests {
    @Test func test_httpServerClose_keepsClientAliveButClosesEachServerConnection() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.connectionMode = .serverClose }) { s1, port in
            let connection = try TestConnection(port: port)
            for _ in 0..<3 {
                try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                let response = try connection.readResponse()
                #expect(response.status == 200)
                #expect(response.header("connection") == nil)
            }
            #expect(s1.connectionsAccepted.load(ordering: .relaxed) == 3)
            #expect(s1.trafficRequests.allSatisfy { $0.header("connection") == "close" })
        }
    }

    @Test func test_httpclose_closesTheClientAfterTheResponse() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.connectionMode = .close }) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.header("connection") == "close")
            _ = try connection.readToEnd()
            #expect(connection.peerClosed)
        }
    }

    @Test func test_keepAliveTimeout_closesAnIdleClient() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.timeouts.httpKeepAlive = .milliseconds(150) }) { _, port in
            let connection = try TestConnection(port: port, timeoutMilliseconds: 3000)
            try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try connection.readResponse().status == 200)
            #expect(try connection.readToEnd() == "")
            #expect(connection.peerClosed)
        }
    }

    @Test func test_errorfile_replacesThe503Page() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        await s1.stop()
        let page = "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 12\r\nconnection: close\r\n\r\nmaintenance\n"
        let plan = ProxyHarness.plan(servers: [s1]) { $0.retries = 0 } frontend: { $0.errorFiles = [503: page] }
        try await ProxyHarness.withProxy(plan) { _, port in
            let response = try TestConnection.get(port: port)
            #expect(response.status == 503)
            #expect(response.body == "maintenance\n")
        }
        try await group.shutdownGracefully()
    }

    @Test func test_observeLayer7_garbageResponseMarksServerDown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let garbage = try await RawTCPServer.start(group: group, behaviour: .reply("SSH-2.0-nope\r\n\r\n"))
        var server = ServerPlan(name: "g", host: "127.0.0.1", port: garbage.port, check: true, inter: .seconds(30), rise: 2, fall: 1)
        server.observeLayer7 = true
        let plan = ProxyPlan(threads: 1, frontends: [FrontendPlan(name: "f", binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)],
                             backends: [BackendPlan(name: "b", servers: [server], retries: 0)])
        let bus = EventBus()
        let events = await bus.subscribe()
        try await ProxyHarness.withProxy(plan, bus: bus) { _, port async throws in
            #expect(try TestConnection.get(port: port).status == 502)
            let down = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth("b", "g", false, _) = $0 { return true }
                return false
            }
            #expect(down == .serverHealth(backend: "b", server: "g", up: false, reason: "Layer7 invalid response (observed)"))
        }
        await garbage.stop()
        try await group.shutdownGracefully()
    }
}

/// Graceful shutdown: listeners close, idle keep-alive clients are let go at once.
@Suite(.serialized) struct ProxyShutdownTests {
    @Test func test_shutdown_closesIdleKeepAliveClientsWithoutWaitingForTheDrainTimeout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let service = ProxyService(plan: ProxyHarness.plan(servers: [s1]), bus: EventBus(), logger: logger, drainTimeout: .seconds(30))
        let task = Task { try await service.run() }
        #expect(try await ProxyHarness.waitUntil(seconds: 5) { service.isAcceptingConnections() })
        let port = try #require(service.boundAddresses().first?.port)
        let idle = try TestConnection(port: port)
        try idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        try await task.value
        #expect(clock.now - start < .seconds(10))
        #expect(try idle.readToEnd() == "")
        #expect(idle.peerClosed)
        await s1.stop()
        try await group.shutdownGracefully()
    }
}

/// `observe layer7` also counts a server's 5xx answers.
@Suite(.serialized) struct ProxyObserveStatusTests {
    @Test func test_observeLayer7_serverErrorsMarkServerDown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let plan = ProxyHarness.plan(servers: [s1]) { backend in
            backend.servers[0].check = true
            backend.servers[0].inter = .seconds(30)
            backend.servers[0].fall = 2
            backend.servers[0].observeLayer7 = true
        }
        let bus = EventBus()
        let events = await bus.subscribe()
        try await ProxyHarness.withProxy(plan, bus: bus) { _, port async throws in
            #expect(try TestConnection.get(port: port, path: "/status/500").status == 500)
            #expect(try TestConnection.get(port: port, path: "/status/503").status == 503)
            let down = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth(_, "websvr1", false, _) = $0 { return true }
                return false
            }
            #expect(down == .serverHealth(backend: "app", server: "websvr1", up: false, reason: "Layer7 wrong status 503 (observed)"))
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }
}
