import Appliance
import HACore
import HAConfig
import Logging
import Proxy
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport

@Suite struct LivenessProbeTests {
    @Test func test_targets_probeWildcardBindsThroughLoopback_andDeduplicate() {
        let configuration = Configuration(frontends: [
            Frontend(name: "a", mode: .http, binds: [Bind(port: 80), Bind(host: "0.0.0.0", port: 80), Bind(host: "198.18.0.10", port: 443)]),
            Frontend(name: "b", mode: .http, binds: [Bind(host: "::", port: 8080)]),
        ])
        #expect(LivenessTarget.targets(for: configuration).map(\.description) == ["127.0.0.1:80", "198.18.0.10:443", "[::1]:8080"])
    }

    @Test func test_targets_leaveOutTCPModeFrontends_whoseEveryConnectionDialsAServer() {
        let configuration = Configuration(frontends: [
            Frontend(name: "db", mode: .tcp, binds: [Bind(host: "198.18.0.10", port: 5432)]),
            Frontend(name: "web", mode: .http, binds: [Bind(host: "198.18.0.10", port: 80)]),
        ])
        #expect(LivenessTarget.targets(for: configuration).map(\.description) == ["198.18.0.10:80"])
    }

    @Test func test_targets_probeTLSBindsOverTLS_withTheirStrictSNIAndCertificate() {
        let configuration = Configuration(frontends: [
            Frontend(name: "web", mode: .http, binds: [Bind(host: "198.18.0.10", port: 80),
                                                       Bind(host: "198.18.0.10", port: 443, ssl: true, certificatePath: "/c.pem", strictSNI: true)]),
        ])
        let targets = LivenessTarget.targets(for: configuration)
        #expect(targets.map(\.description) == ["198.18.0.10:80", "198.18.0.10:443"])
        #expect(targets[0].tls == nil)
        #expect(targets[1].tls == LivenessTarget.TLSProbe(certificatePath: "/c.pem", strictSNI: true))
    }

    /// A TLS bind: the probe completes a handshake (in full the first time, resumed from the
    /// kept session after), asks `OPTIONS *` over TLS, and the proxy counts neither a session
    /// nor a handshake failure. With `strict-sni` the probe sends a name the certificate covers.
    @Test func test_tlsProbe_succeedsResumesTheSession_andIsNeitherCountedNorAFailure() async throws {
        let certificates = try TestCertificates()
        let bundle = try certificates.bundle("site.pem", commonName: "site", names: ["*.example.com"])
        let probes = ProbeConnections()
        let (service, task, port) = try await Self.startProxy(bind: "ssl crt \(bundle) strict-sni", probes: probes)
        defer { task.cancel() }
        let sessions = ProbeTLSSessions()
        let target = LivenessTarget(host: "127.0.0.1", port: port, origin: "test", tls: .init(certificatePath: bundle, strictSNI: true))
        let probe = ProxyProbe(targets: [target], timeout: .seconds(2), tlsSessions: sessions, connected: { probes.register($0) })
        for _ in 0..<3 { #expect(await probe.probe() == .success) }
        #expect(sessions.full == 1, "one full handshake")
        #expect(sessions.resumed == 2, "the next rounds resume the kept session")
        let counters = await service.snapshot().frontends[0].counters
        #expect(counters.totalSessions == 0, "the probe is not a client session")
        #expect(counters.handshakeFailures == 0)
        task.cancel()
        _ = try? await task.value
    }

    /// The bind's handshakes never complete (a server that reads and never answers): the TLS
    /// round fails within its timeout and says so.
    @Test func test_tlsProbe_failsWhenTheHandshakeIsNeverAnswered() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = server.localAddress!.port!
        let target = LivenessTarget(host: "127.0.0.1", port: port, origin: "test", tls: .init())
        let started = ContinuousClock.now
        let outcome = await ProxyProbe(targets: [target], timeout: .milliseconds(300)).probe()
        #expect(outcome == .failure("127.0.0.1:\(port): TLS handshake and answer not done within 300 ms (handshakes stalled?)"))
        #expect(ContinuousClock.now - started < .seconds(5), "bounded by the probe's timeout")
    }

    /// A plain probe against a TLS bind was what hactl avoided; a TLS probe against a plain
    /// listener fails with the handshake's reason, not a timeout.
    @Test func test_tlsProbe_againstAPlainBind_failsWithTheHandshakeReason() async throws {
        let probes = ProbeConnections()
        let (_, task, port) = try await Self.startProxy(bind: "", probes: probes)
        defer { task.cancel() }
        let target = LivenessTarget(host: "127.0.0.1", port: port, origin: "test", tls: .init())
        guard case .failure(let reason) = await ProxyProbe(targets: [target], timeout: .seconds(2)).probe() else {
            Issue.record("a handshake with a plain HTTP listener must fail")
            return
        }
        #expect(reason.contains("SSL") || reason.contains("closed"), "\(reason)")
        task.cancel()
        _ = try? await task.value
    }

    static func startProxy(bind options: String, probes: ProbeConnections) async throws -> (ProxyService, Task<Void, any Error>, Int) {
        let free = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let freePort = free.localAddress!.port!
        try await free.close()
        let configuration = try ConfigurationLoader.parse(text: """
        defaults
            mode http
            timeout client 5s
        frontend f
            bind 127.0.0.1:\(freePort) \(options)
            default_backend b
        backend b
            server s 127.0.0.1:9
        """, file: "probe.cfg", dialect: .haproxy)
        let service = ProxyService(configuration: configuration, bus: EventBus(), logger: Logger(label: "test"), probeConnections: probes)
        let task = Task { try await service.run() }
        let deadline = ContinuousClock.now + .seconds(5)
        while !service.isAcceptingConnections(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return (service, task, try #require(service.boundAddresses().first?.port))
    }

    /// A proxy answers the probe's `OPTIONS *` itself; once it stops, the round fails.
    @Test func test_probe_succeedsAgainstTheProxy_failsWhenItIsGone() async throws {
        let probes = ProbeConnections()
        let free = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let freePort = free.localAddress!.port!
        try await free.close()
        let configuration = try ConfigurationLoader.parse(text: """
        defaults
            mode http
            timeout client 5s
        frontend f
            bind 127.0.0.1:\(freePort)
            default_backend b
        backend b
            server s 127.0.0.1:9
        """, file: "probe.cfg", dialect: .haproxy)
        let service = ProxyService(configuration: configuration, bus: EventBus(), logger: Logger(label: "test"), probeConnections: probes)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(5)
        while !service.isAcceptingConnections(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let port = try #require(service.boundAddresses().first?.port)
        let probe = ProxyProbe(targets: [LivenessTarget(host: "127.0.0.1", port: port, origin: "test")], timeout: .seconds(2),
                               connected: { probes.register($0) })
        #expect(await probe.probe() == .success)
        let statistics = await service.snapshot()
        #expect(statistics.frontends[0].counters.totalSessions == 0, "the probe is not a client session")
        task.cancel()
        _ = try? await task.value
        guard case .failure(let reason) = await probe.probe() else {
            Issue.record("a stopped proxy must fail the probe")
            return
        }
        #expect(reason.hasPrefix("127.0.0.1:\(port): "))
    }

    /// What a wedged process looks like from outside: the kernel accepts, nobody answers.
    /// A TCP-connect probe passed this; the request probe fails it within its timeout.
    @Test func test_probe_failsOnAListenerThatAcceptsButNeverAnswers() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = server.localAddress!.port!
        let probe = ProxyProbe(targets: [LivenessTarget(host: "127.0.0.1", port: port, origin: "test")], timeout: .milliseconds(300))
        guard case .failure(let reason) = await probe.probe() else {
            Issue.record("a listener that never answers must fail the probe")
            return
        }
        #expect(reason == "127.0.0.1:\(port): accepted but not answered within 300 ms (event loop stalled?)")
    }

    @Test func test_connectProbe_skipsAddressesThisNodeDoesNotHold() async {
        let probe = ProxyProbe(targets: [LivenessTarget(host: "198.19.255.254", port: 80, origin: "test")], timeout: .seconds(1))
        #expect(await probe.probe() == .skipped)
    }

    @Test func test_probe_publishesProxyDownAfterFallFailedRounds() async throws {
        let bus = EventBus()
        let events = await bus.subscribe()
        let rounds = Mutex(0)
        let probe = LivenessProbe(tuning: .init(interval: .milliseconds(5), fall: 3, rise: 2), bus: bus) {
            rounds.withLock { $0 += 1 }
            return .failure("refused")
        }
        let task = Task { await probe.run() }
        defer { task.cancel() }
        let first = await firstEvent(events, within: .seconds(10))
        #expect(first == .proxyHealth(up: false, reason: "3 failed probes, last: refused"))
        #expect(rounds.withLock { $0 } >= 3)
    }

    @Test func test_downFromProbes_asksForARestart_downFromAStopDoesNot() async throws {
        let bus = EventBus()
        let events = await bus.subscribe()
        let restarts = Recorder<String>()
        let probe = LivenessProbe(
            tuning: .init(interval: .milliseconds(5), fall: 2, rise: 2), bus: bus,
            onProbedDown: { restarts.append($0) }
        ) { .failure("refused") }
        let task = Task { await probe.run() }
        defer { task.cancel() }
        #expect(await firstEvent(events, within: .seconds(10)) == .proxyHealth(up: false, reason: "2 failed probes, last: refused"))
        #expect(restarts.all == ["2 failed probes, last: refused"])

        let stoppedBus = EventBus()
        let stoppedEvents = await stoppedBus.subscribe()
        let noRestarts = Recorder<String>()
        let stopped = LivenessProbe(tuning: .init(interval: .seconds(3600)), bus: stoppedBus, onProbedDown: { noRestarts.append($0) }) { .success }
        let stoppedTask = Task { await stopped.run() }
        defer { stoppedTask.cancel() }
        stopped.proxyStopped(reason: "crashed")
        #expect(await firstEvent(stoppedEvents, within: .seconds(10)) == .proxyHealth(up: false, reason: "crashed"))
        #expect(noRestarts.all.isEmpty)
    }

    @Test func test_proxyStopped_publishesDownWithoutWaitingForProbes() async throws {
        let bus = EventBus()
        let events = await bus.subscribe()
        let probe = LivenessProbe(tuning: .init(interval: .seconds(3600), fall: 3, rise: 2), bus: bus) { .success }
        let task = Task { await probe.run() }
        defer { task.cancel() }
        probe.proxyStopped(reason: "proxy service stopped: bind failed")
        #expect(await firstEvent(events, within: .seconds(10)) == .proxyHealth(up: false, reason: "proxy service stopped: bind failed"))
        #expect(!probe.isUp)
    }

    /// The first event on `stream`, or nil after `within`.
    func firstEvent(_ stream: AsyncStream<HAEvent>, within: Duration) async -> HAEvent? {
        await withTaskGroup(of: HAEvent?.self) { group in
            group.addTask {
                for await event in stream { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: within)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
