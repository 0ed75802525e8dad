import HACore
import HAConfig
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// `ProxyService(configuration:)`: the model from HAConfig mapped to the proxy, end to end.
@Suite(.serialized) struct ProxyConfigurationTests {
    /// The seed's `listen http-incoming` with `cookie WEBSVR insert` and `option httpchk`.
    func seedConfiguration(port1: Int, port2: Int) -> Configuration {
        let timeouts = Timeouts(connect: .seconds(5), client: .seconds(25), server: .seconds(25), queue: .seconds(10))
        let frontend = Frontend(name: "http-incoming", isListen: true, mode: .http, binds: [Bind(host: "127.0.0.1", port: 0)],
                                timeouts: timeouts, forwardFor: ForwardFor(), defaultBackend: "http-incoming")
        let servers = [
            Server(name: "websvr1", host: "127.0.0.1", port: port1, maxconn: 512, check: true, cookie: "1"),
            Server(name: "websvr2", host: "127.0.0.1", port: port2, maxconn: 512, check: true, cookie: "2"),
        ]
        let backend = Backend(name: "http-incoming", isListen: true, mode: .http, servers: servers,
                              cookie: HAConfig.CookiePersistence(name: "WEBSVR", mode: .insert),
                              healthCheck: HTTPCheck(method: "OPTIONS", uri: "*", version: "HTTP/1.1", headers: [HTTPHeaderField(name: "Host", value: "www")]),
                              timeouts: timeouts)
        return Configuration(global: GlobalSettings(maxconn: 50000, nbthread: 2), frontends: [frontend], backends: [backend])
    }

    @Test func test_seedListenSection_mapsToPlan() throws {
        let plan = try ProxyPlan(configuration: seedConfiguration(port1: 8001, port2: 8002))
        #expect(plan.frontends[0].defaultBackend == 0)
        #expect(plan.frontends[0].forwardFor?.header == "X-Forwarded-For")
        #expect(plan.backends[0].servers.map(\.cookie) == ["1", "2"])
        #expect(plan.backends[0].servers[0].maxconn == 512)
        #expect(plan.backends[0].cookie?.mode == .insert)
        #expect(plan.backends[0].healthCheck?.uri == "*")
        #expect(plan.backends[0].timeouts.queue == .seconds(10))
        #expect(plan.maxconn == 50000)
        #expect(plan.threads == 2)
    }

    @Test func test_configurationService_servesTheSeedScenario() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        let service = ProxyService(configuration: seedConfiguration(port1: s1.port, port2: s2.port), bus: EventBus(),
                                   logger: Logger(label: "test"), drainTimeout: .milliseconds(100))
        let task = Task { try await service.run() }
        #expect(try await ProxyHarness.waitUntil(seconds: 5) { service.isAcceptingConnections() })
        let port = try #require(service.boundAddresses().first?.port)
        let first = try TestConnection.get(port: port)
        let second = try TestConnection.get(port: port)
        #expect(Set([first.body, second.body]) == ["This is HTTP server websvr1\n", "This is HTTP server websvr2\n"])
        #expect(first.header("set-cookie")?.hasPrefix("WEBSVR=") == true)
        task.cancel()
        try await task.value
        #expect(!service.isAcceptingConnections())
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_sslBindWithUnreadableCertificate_isAnErrorNamingTheLineAndFile() throws {
        var configuration = seedConfiguration(port1: 1, port2: 2)
        configuration.frontends[0].binds = [Bind(port: 443, ssl: true, certificatePath: "/etc/x.pem",
                                                  location: SourceLocation(file: "hactl.conf", line: 12))]
        #expect {
            try ProxyService.validate(configuration)
        } throws: { error in
            "\(error)".contains("hactl.conf:12") && "\(error)".contains("cannot read certificate '/etc/x.pem'")
        }
    }

    @Test func test_unknownBackend_isAClearError() throws {
        var configuration = seedConfiguration(port1: 1, port2: 2)
        configuration.frontends[0].defaultBackend = "nope"
        #expect {
            try ProxyService.validate(configuration)
        } throws: { error in
            "\(error)".contains("no backend named 'nope'")
        }
    }

    @Test func test_bindFailure_runThrowsNamingFrontendAndAddress() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let taken = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        var configuration = seedConfiguration(port1: 1, port2: 2)
        configuration.frontends[0].binds = [Bind(host: "127.0.0.1", port: port)]
        configuration.backends[0].servers = configuration.backends[0].servers.map { var s = $0; s.check = false; return s }
        let service = ProxyService(configuration: configuration, bus: EventBus(), logger: Logger(label: "test"))
        await #expect {
            try await service.run()
        } throws: { error in
            "\(error)".contains("frontend 'http-incoming'") && "\(error)".contains("127.0.0.1:\(port)")
        }
        try await taken.close()
        try await group.shutdownGracefully()
    }
}
