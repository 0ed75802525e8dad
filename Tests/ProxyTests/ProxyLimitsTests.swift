import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Proxy

/// Server `maxconn` with the backend queue and `timeout queue`, and protocol upgrades.
@Suite(.serialized) struct ProxyLimitsTests {
    /// Sends `count` requests at once from separate threads and returns their statuses.
    ///
    /// Each blocking client runs on a thread of its own: in a task of the cooperative pool (two
    /// threads on a 2-core machine, shared with the suites running beside this one) the second
    /// request could wait for the first to end, and the queue would never see two at once.
    static func concurrentGets(port: Int, path: String, count: Int) async -> [Int] {
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<count {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        Thread.detachNewThread {
                            continuation.resume(returning: (try? TestConnection.get(port: port, path: path).status) ?? -1)
                        }
                    }
                }
            }
            var statuses: [Int] = []
            for await status in group { statuses.append(status) }
            return statuses
        }
    }

    @Test func test_serverMaxconn_queuesExcessRequestsInOrderAndServesThemAll() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let plan = ProxyHarness.plan(servers: [s1]) { backend in
            backend.servers[0].maxconn = 1
            backend.timeouts.queue = .seconds(5)
        }
        try await ProxyHarness.withProxy(plan) { service, port in
            let statuses = await Self.concurrentGets(port: port, path: "/slow?ms=100", count: 4)
            #expect(statuses == [200, 200, 200, 200])
            #expect(s1.maxInFlight.load(ordering: .relaxed) == 1)
            let stats = await service.snapshot()
            #expect(stats.backends[0].counters.queueMax >= 1)
            #expect(stats.backends[0].counters.queueCurrent == 0)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_queueTimeout_answers503() async throws {
        try await ProxyHarness.withOneServer(backend: { backend in
            backend.servers[0].maxconn = 1
            backend.timeouts.queue = .milliseconds(100)
        }) { _, port in
            let statuses = await Self.concurrentGets(port: port, path: "/slow?ms=600", count: 2)
            #expect(statuses.sorted() == [200, 503])
        }
    }

    @Test func test_upgrade_becomesATunnelBothWays() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ws = try await RawTCPServer.start(group: group, behaviour: .upgradeThenEcho)
        let plan = ProxyPlan(threads: 1, frontends: [FrontendPlan(name: "f", binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)],
                             backends: [BackendPlan(name: "b", servers: [ServerPlan(name: "ws", host: "127.0.0.1", port: ws.port)])])
        try await ProxyHarness.withProxy(plan) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            let response = try connection.readResponse(forHead: true)
            #expect(response.status == 101)
            #expect(response.header("upgrade") == "websocket")
            try connection.send("ping-frame")
            connection.shutdownWrite()
            #expect(try connection.readToEnd() == "ping-framebye")
        }
        await ws.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_connect_becomesATunnelBothWays() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await RawTCPServer.start(group: group, behaviour: .connectThenEcho)
        let plan = ProxyPlan(threads: 1, frontends: [FrontendPlan(name: "f", binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)],
                             backends: [BackendPlan(name: "b", servers: [ServerPlan(name: "u", host: "127.0.0.1", port: upstream.port)])])
        try await ProxyHarness.withProxy(plan) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            #expect(try connection.readResponse(forHead: true).status == 200)
            try connection.send("opaque-bytes")
            connection.shutdownWrite()
            #expect(try connection.readToEnd() == "opaque-bytesbye")
        }
        await upstream.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_severalBindLines_ipv4AndIpv6_allServe() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let plan = ProxyHarness.plan(servers: [s1]) { _ in } frontend: { frontend in
            frontend.binds = [BindPlan(host: "127.0.0.1", port: 0), BindPlan(host: "::1", port: 0)]
        }
        try await ProxyHarness.withProxy(plan) { service, _ async throws in
            let addresses = service.boundAddresses()
            let v4 = addresses.first { $0.protocol == .inet }
            let v6 = addresses.first { $0.protocol == .inet6 }
            #expect(v4 != nil && v6 != nil)
            if let v4Port = v4?.port { #expect(try TestConnection.get(port: v4Port).status == 200) }
            if let v6Port = v6?.port {
                #expect(try Curl.run(["-g", "http://[::1]:\(v6Port)/"]) == "This is HTTP server websvr1\n")
            }
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }
}
