import HACore
import HAConfig
import Logging
import Proxy
import ServiceLifecycle
import Synchronization

/// The proxy as the appliance runs it: a `ProxyHost` (the serving `ProxyService`, replaced
/// seamlessly on reload) under the `Supervisor`, watched by the `LivenessProbe`, with a
/// readiness check for `READY=1`.
///
/// The first start is not retried: a proxy that cannot bind at start-up (address in use, bad
/// certificate) stops hactl with the error, as HAProxy does, so the operator sees it at once.
/// Once it has listened, a failure is restarted with backoff while the VIP moves to the peer.
struct SupervisedProxy: Sendable {
    let supervisor: Supervisor
    let probe: LivenessProbe
    private let handle: ProxyHandle
    /// How many times the supervisor started the proxy again.
    let restartCount: SharedCounter
    /// The statistics page's and the metrics' answer, shared by every host the supervisor starts.
    let statsHook: StatsHookSlot
    /// Where every instance's stick-table stores go (filled with the peer link, if any).
    let stickSlot: StickSinkSlot

    init(configuration: Configuration, tuning: LivenessState.Tuning, bus: EventBus, logger: Logger) {
        let proxyLogger = Logger(label: "proxy")
        let handle = ProxyHandle(configuration: configuration)
        self.handle = handle
        let probeConnections = ProbeConnections()
        let probeSessions = ProbeTLSSessions()
        let restarts = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let restartCount = SharedCounter()
        self.restartCount = restartCount
        let statsHook = StatsHookSlot()
        self.statsHook = statsHook
        let stickSlot = StickSinkSlot()
        self.stickSlot = stickSlot
        // While this node holds none of the bind addresses (a BACKUP, or a MASTER that went to
        // FAULT and dropped its VIPs) a connect cannot reach our own proxy: the verdict then
        // comes from the proxy itself, listeners open and accepting (see LivenessState's
        // holdDown). Without it, a proxy restarted after a failure would never rise again.
        let probe = LivenessProbe(
            tuning: tuning, bus: bus,
            onProbedDown: { reason in
                // A frontend the operator disabled (`hactl frontend disable`, the failover drill)
                // is not a failure a restart would cure: the restarted proxy keeps it disabled.
                guard handle.host?.operatorOverrides().disabledFrontends.isEmpty ?? true else { return }
                restarts.continuation.yield(reason)
            },
            accepting: { handle.isAcceptingConnections() },
            round: {
                let outcome = await ProxyProbe(targets: LivenessTarget.targets(for: handle.configuration), timeout: tuning.timeout,
                                               tlsSessions: probeSessions, connected: { probeConnections.register($0) }).probe()
                // The probe's request reaches whichever loop the kernel picked (SO_REUSEPORT);
                // every loop must also run a task in time, or one wedged loop of several would
                // pass most rounds while its share of the clients waits.
                guard let host = handle.host else { return outcome }
                if case .failure(let reason) = outcome {
                    // At `maxconn` the listeners are paused and the probe's connection waits in
                    // the accept queue like any client's: that is the limit working, not a dead
                    // proxy (HAProxy + keepalived's process check stay up too). Restarting would
                    // drop every client; the loops running tasks in time is the proof of life.
                    guard host.isAtConnectionLimit(), await host.loopsResponsive(within: tuning.timeout) else { return outcome }
                    return .saturated("at maxconn, new connections wait in the accept queue (\(reason)); event loops responsive")
                }
                if await host.loopsResponsive(within: tuning.timeout) { return outcome }
                return .failure("an event loop did not run a task within \(tuning.timeout.nanoseconds / 1_000_000) ms (wedged?)")
            }
        )
        self.probe = probe
        supervisor = Supervisor(
            name: "proxy",
            logger: logger,
            onStart: { attempt in if attempt > 0 { restartCount.increment() } },
            onStop: { reason in probe.proxyStopped(reason: reason) },
            startupSucceeded: { handle.hasListened },
            restartRequests: restarts.stream,
            factory: {
                // The operator's admin states, weights and disabled frontends survive a restart.
                let host = ProxyHost(configuration: handle.configuration, bus: bus, logger: proxyLogger, probeConnections: probeConnections,
                                     overrides: handle.host?.operatorOverrides() ?? ProxyOverrides(), statsHook: statsHook,
                                     stickSlot: stickSlot)
                handle.host = host
                // A restart (not the first start): the new host keeps what the peer sends
                // until its instance serves.
                if restartCount.current > 0 { stickSlot.proxyRestarted() }
                return host
            }
        )
    }

    var restarts: Int { restartCount.current }

    /// Up once the proxy accepts connections on every bind.
    func readiness() -> ReadinessCheck {
        let handle = self.handle
        return ReadinessCheck(name: "proxy") {
            // ProxyService offers a flag rather than an event: look every 10 ms, bounded by
            // the group (a proxy that fails to start throws and stops the group).
            while !handle.isAcceptingConnections() {
                try await Task.sleep(for: .milliseconds(10))
            }
            handle.hasListened = true
        }
    }

    /// The probe starts once the proxy listens, so start-up is not mistaken for a failure.
    var probeService: some Service {
        DelayedService(probe, after: readiness().wait)
    }

    /// The running host, for the operator's commands (nil between a failure and its restart).
    var host: ProxyHost? { handle.host }

    /// Reload: serve `configuration` from a new instance, the old one draining. Returns nil
    /// when done, or why the running proxy keeps its configuration.
    func replace(with configuration: Configuration) async -> String? {
        guard let host = handle.host else { return "the proxy is not running" }
        let failure = await host.replace(with: configuration)
        if failure == nil { handle.configuration = configuration }
        return failure
    }
}

/// The current `ProxyHost` (a new one after each restart), the configuration restarts use,
/// and whether the proxy has ever listened.
final class ProxyHandle: Sendable {
    private let state: Mutex<(host: ProxyHost?, configuration: Configuration, hasListened: Bool)>

    init(configuration: Configuration) {
        state = Mutex((nil, configuration, false))
    }

    var host: ProxyHost? {
        get { state.withLock { $0.host } }
        set { state.withLock { $0.host = newValue } }
    }

    var configuration: Configuration {
        get { state.withLock { $0.configuration } }
        set { state.withLock { $0.configuration = newValue } }
    }

    var hasListened: Bool {
        get { state.withLock { $0.hasListened } }
        set { state.withLock { $0.hasListened = newValue } }
    }

    func isAcceptingConnections() -> Bool {
        host?.isAcceptingConnections() ?? false
    }
}

/// Runs `service` once `after` returns (or not at all when the group stops first).
struct DelayedService<Wrapped: Service>: Service {
    let service: Wrapped
    let after: @Sendable () async throws -> Void

    init(_ service: Wrapped, after: @escaping @Sendable () async throws -> Void) {
        self.service = service
        self.after = after
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await after() }
        } catch is CancellationError {
            return
        }
        if Task.isShuttingDownGracefully || Task.isCancelled { return }
        try await service.run()
    }
}

/// An atomic counter a `Sendable` struct can hold (Atomic itself is not copyable).
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}
