import HACore
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// The seed scenario against Debian's nginx: alternation, httpd stopped on websvr1, back again.
@Suite(.serialized) struct ProxyNginxTests {
    @Test func test_seedScenario_withNginxBackends() async throws {
        guard NginxServer.isInstalled else {
            print("skipped: needs nginx")
            return
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let web1 = try NginxServer(name: "websvr1", port: try await NginxServer.freePort(group: group))
        let web2 = try NginxServer(name: "websvr2", port: try await NginxServer.freePort(group: group))
        try web1.start()
        try web2.start()
        var backend = BackendPlan(name: "http-incoming", servers: [web1, web2].map {
            ServerPlan(name: $0.name, host: "127.0.0.1", port: $0.port, maxconn: 512, check: true,
                       inter: .milliseconds(100), rise: 1, fall: 2)
        }, retries: 3, redispatch: true)
        backend.healthCheck = HTTPCheckPlan(method: "HEAD", uri: "/", version: "HTTP/1.1", headers: [HTTPField(name: "Host", value: "www")])
        let plan = ProxyPlan(threads: 2, frontends: [FrontendPlan(name: "http-incoming", binds: [BindPlan(host: "127.0.0.1", port: 0)],
                                                                   forwardFor: ForwardForPlan(), defaultBackend: 0)],
                             backends: [backend])
        let bus = EventBus()
        let events = await bus.subscribe()
        try await ProxyHarness.withProxy(plan, bus: bus) { _, port in
            let first = try (0..<4).map { _ in try TestConnection.get(port: port).body }
            #expect(first.filter { $0 == "This is HTTP server websvr1\n" }.count == 2)
            #expect(first.filter { $0 == "This is HTTP server websvr2\n" }.count == 2)

            web1.stop()
            for _ in 0..<6 {
                let response = try TestConnection.get(port: port)
                #expect(response.status == 200)
                #expect(response.body == "This is HTTP server websvr2\n")
            }
            let down = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth(_, "websvr1", false, _) = $0 { return true }
                return false
            }
            #expect(down != nil)

            try web1.start()
            let up = await ProxyHarness.waitForEvent(events, seconds: 5) {
                if case .serverHealth(_, "websvr1", true, _) = $0 { return true }
                return false
            }
            #expect(up != nil)
            let after = try (0..<4).map { _ in try TestConnection.get(port: port).body }
            #expect(after.filter { $0 == "This is HTTP server websvr1\n" }.count == 2)
        }
        web1.stop()
        web2.stop()
        try await group.shutdownGracefully()
    }
}
