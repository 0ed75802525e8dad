import HACore
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// The seed scenario (Oracle Linux "Configuring Simple Load Balancing Using HAProxy"): httpd
/// stops on websvr1, its requests go to websvr2, it comes back and alternation resumes.
@Suite(.serialized) struct ProxyHealthTests {
    func checkedPlan(_ servers: [TestHTTPServer], check: HTTPCheckPlan? = nil) -> ProxyPlan {
        ProxyHarness.plan(servers: servers) { backend in
            backend.redispatch = true
            backend.retries = 3
            backend.healthCheck = check
            for i in backend.servers.indices {
                backend.servers[i].check = true
                backend.servers[i].inter = .milliseconds(100)
                backend.servers[i].rise = 1
                backend.servers[i].fall = 2
            }
        }
    }

    @Test func test_serverStopped_requestsGoToTheOtherWithoutClientErrors_thenAlternationResumes() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        let bus = EventBus()
        let events = await bus.subscribe()
        try await ProxyHarness.withProxy(checkedPlan([s1, s2]), bus: bus) { _, port in
            let before = try (0..<2).map { _ in try TestConnection.get(port: port).body }
            #expect(Set(before) == ["This is HTTP server websvr1\n", "This is HTTP server websvr2\n"])

            await s1.stop()
            // Before the checks notice: retries and redispatch hide the dead server.
            for _ in 0..<6 {
                let response = try TestConnection.get(port: port)
                #expect(response.status == 200)
                #expect(response.body == "This is HTTP server websvr2\n")
            }
            let down = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth("app", "websvr1", false, _) = $0 { return true }
                return false
            }
            #expect(down == .serverHealth(backend: "app", server: "websvr1", up: false, reason: "Layer4 connection refused"))
            for _ in 0..<4 {
                #expect(try TestConnection.get(port: port).body == "This is HTTP server websvr2\n")
            }

            try await s1.restart()
            let up = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth("app", "websvr1", true, _) = $0 { return true }
                return false
            }
            #expect(up != nil)
            let after = try (0..<4).map { _ in try TestConnection.get(port: port).body }
            #expect(after.filter { $0 == "This is HTTP server websvr1\n" }.count == 2)
            #expect(after.filter { $0 == "This is HTTP server websvr2\n" }.count == 2)
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_httpCheckExpectingSuccess_marksServerDownWithLayer7Reason() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let bus = EventBus()
        let events = await bus.subscribe()
        let plan = checkedPlan([s1], check: HTTPCheckPlan(method: "GET", uri: "/status/503", version: "HTTP/1.1",
                                                           headers: [HTTPField(name: "Host", value: "www")]))
        try await ProxyHarness.withProxy(plan, bus: bus) { service, port in
            let down = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth(_, _, false, _) = $0 { return true }
                return false
            }
            #expect(down == .serverHealth(backend: "app", server: "websvr1", up: false, reason: "Layer7 wrong status 503"))
            #expect(s1.requests.contains { $0.method == "GET" && $0.uri == "/status/503" && $0.header("host") == "www" })
            let response = try TestConnection.get(port: port)
            #expect(response.status == 503)
            let stats = await service.snapshot()
            #expect(stats.backends[0].servers[0].up == false)
            #expect(stats.backends[0].servers[0].lastCheck == "Layer7 wrong status 503")
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }
}
