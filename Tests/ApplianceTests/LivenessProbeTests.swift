import Appliance
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Synchronization
import Testing

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

    @Test func test_connectProbe_succeedsOnAListener_failsWhenItIsGone() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress!.port!
        let probe = TCPConnectProbe(targets: [LivenessTarget(host: "127.0.0.1", port: port, origin: "test")], timeout: .seconds(2))
        #expect(await probe.probe() == .success)
        try await server.close()
        guard case .failure(let reason) = await probe.probe() else {
            Issue.record("a closed listener must fail the probe")
            return
        }
        #expect(reason.hasPrefix("127.0.0.1:\(port): "))
    }

    @Test func test_connectProbe_skipsAddressesThisNodeDoesNotHold() async {
        let probe = TCPConnectProbe(targets: [LivenessTarget(host: "198.19.255.254", port: 80, origin: "test")], timeout: .seconds(1))
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
