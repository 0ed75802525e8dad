import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// The seed's cookie runs ("Configuring HAProxy for Session Persistence") with curl.
@Suite(.serialized) struct ProxyPersistenceTests {
    func cookiePlan(_ servers: [TestHTTPServer], _ persistence: CookiePersistence) -> ProxyPlan {
        ProxyHarness.plan(servers: servers) { backend in
            backend.cookie = persistence
            for i in backend.servers.indices { backend.servers[i].cookie = "\(i + 1)" }
        }
    }

    @Test func test_cookieInsert_setsWEBSVRAndCurlCookieSticksToWebsvr2() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(cookiePlan([s1, s2], CookiePersistence(name: "WEBSVR", mode: .insert))) { _, port in
            let url = "http://127.0.0.1:\(port)/"
            let dump = try Curl.run(["-D", "/dev/stdout", url])
            let server = dump.contains("websvr1") ? "1" : "2"
            #expect(dump.contains("Set-Cookie: WEBSVR=\(server); path=/\r\n"))
            for _ in 0..<3 {
                #expect(try Curl.run(["--cookie", "WEBSVR=2;", url]) == "This is HTTP server websvr2\n")
            }
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_cookiePrefix_curlSessionIDSticksToWebsvr1AndServerSeesItsOwnValue() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(cookiePlan([s1, s2], CookiePersistence(name: "SESSIONID", mode: .prefix))) { _, port in
            let url = "http://127.0.0.1:\(port)/"
            for _ in 0..<3 {
                #expect(try Curl.run(["--cookie", "SESSIONID=1~1234;", url]) == "This is HTTP server websvr1\n")
            }
            #expect(s1.trafficRequests.allSatisfy { $0.header("cookie") == "SESSIONID=1234" })
            #expect(s2.trafficRequests.isEmpty)
            let dump = try Curl.run(["-D", "/dev/stdout", "--cookie", "SESSIONID=2~x;", "http://127.0.0.1:\(port)/session"])
            #expect(dump.contains("Set-Cookie: SESSIONID=2~abc; Path=/\r\n"))
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_cookieForDownServer_isRedispatchedAndReissued() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        var plan = cookiePlan([s1, s2], CookiePersistence(name: "WEBSVR", mode: .insert, indirect: true, nocache: true))
        plan.backends[0].redispatch = true
        try await ProxyHarness.withProxy(plan) { _, port in
            await s2.stop()
            let response = try TestConnection.get(port: port, headers: ["Cookie: WEBSVR=2"])
            #expect(response.status == 200)
            #expect(response.body == "This is HTTP server websvr1\n")
            #expect(response.headers("set-cookie") == ["WEBSVR=1; path=/"])
            #expect(response.header("cache-control") == "private")
            #expect(s1.trafficRequests.last?.header("cookie") == nil)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }
}
