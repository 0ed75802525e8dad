import HACore
import HAConfig
import Logging
import Proxy
import Testing
@testable import Appliance

/// The operator's admin states, weights and disabled frontends outlive the instance they were
/// set on: a reload's new instance and a restarted host start with them.
@Suite(.serialized) struct ProxyHostOverridesTests {
    func configuration(servers: [String]) -> Configuration {
        Configuration(
            frontends: [Frontend(name: "web", mode: .http, binds: [Bind(host: "127.0.0.1", port: 0)], defaultBackend: "app")],
            backends: [Backend(name: "app", mode: .http, servers: servers.enumerated().map { Server(name: $1, host: "127.0.0.1", port: 9 + $0) })]
        )
    }

    func waitUntil(_ condition: () -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func test_reload_newInstanceStartsWithTheOperatorsOverrides_andARestartCarriesThem() async throws {
        var logger = Logger(label: "proxy-host-test")
        logger.logLevel = .warning
        let host = ProxyHost(configuration: configuration(servers: ["web1", "web2"]), bus: EventBus(), logger: logger,
                             probeConnections: ProbeConnections())
        let task = Task { try await host.run() }
        #expect(try await waitUntil { host.isAcceptingConnections() })

        try await host.setServerAdmin(backend: "app", server: "web2", .drain)
        try await host.setServerWeight(backend: "app", server: "web1", weight: 5)
        try await host.setFrontendEnabled("web", enabled: false)
        #expect(!host.isAcceptingConnections())

        // A reload that adds a server: the new instance switches in although "web" stays closed.
        let failure = await host.replace(with: configuration(servers: ["web1", "web2", "web3"]))
        #expect(failure == nil)
        let stats = await host.snapshot()
        #expect(stats.backends.first?.servers.map(\.name) == ["web1", "web2", "web3"])
        #expect(stats.backends.first?.servers.map(\.adminState) == [.ready, .drain, .ready])
        #expect(stats.backends.first?.servers.map(\.weight) == [5, 1, 1])
        #expect(stats.frontends.first?.status == .stop)
        #expect(!host.isAcceptingConnections())

        task.cancel()
        _ = try? await task.value
        let expected = ProxyOverrides(serverAdmin: [.init(backend: "app", server: "web2"): .drain],
                                      serverWeights: [.init(backend: "app", server: "web1"): 5],
                                      disabledFrontends: ["web"])
        #expect(host.operatorOverrides() == expected)
        await #expect(throws: ProxyControlError.notRunning) {
            try await host.setServerAdmin(backend: "app", server: "web1", .ready)
        }
    }
}
