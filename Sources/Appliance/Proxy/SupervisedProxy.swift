import HACore
import HAConfig
import Logging
import Proxy
import ServiceLifecycle
import Synchronization

/// The proxy as the appliance runs it: a `ProxyService` under the `Supervisor`, watched by the
/// `LivenessProbe`, with a readiness check for `READY=1`.
///
/// The first start is not retried: a proxy that cannot bind at start-up (address in use, bad
/// certificate) stops hactl with the error, as HAProxy does, so the operator sees it at once.
/// Once it has listened, a failure is restarted with backoff while the VIP moves to the peer.
struct SupervisedProxy: Sendable {
    let supervisor: Supervisor
    let probe: LivenessProbe
    private let handle = ProxyHandle()

    init(configuration: Configuration, tuning: LivenessState.Tuning, bus: EventBus, logger: Logger) {
        let proxyLogger = Logger(label: "proxy")
        let targets = LivenessTarget.targets(for: configuration)
        let connect = TCPConnectProbe(targets: targets, timeout: tuning.timeout)
        let handle = self.handle
        // While this node holds none of the bind addresses (a BACKUP, or a MASTER that went to
        // FAULT and dropped its VIPs) a connect cannot reach our own proxy: the verdict then
        // comes from the proxy itself, listeners open and accepting. Without this, a node whose
        // proxy failed and was restarted would never see it rise again.
        let restarts = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let probe = LivenessProbe(tuning: tuning, bus: bus, onProbedDown: { reason in restarts.continuation.yield(reason) }) {
            switch await connect.probe() {
            case .skipped:
                handle.current?.isAcceptingConnections() == true ? .success : .failure("proxy not accepting connections")
            case let outcome:
                outcome
            }
        }
        self.probe = probe
        supervisor = Supervisor(
            name: "proxy",
            logger: logger,
            onStop: { reason in probe.proxyStopped(reason: reason) },
            startupSucceeded: { handle.hasListened },
            restartRequests: restarts.stream,
            factory: {
                let service = ProxyService(configuration: configuration, bus: bus, logger: proxyLogger)
                handle.current = service
                return service
            }
        )
    }

    /// Up once the proxy accepts connections on every bind.
    func readiness() -> ReadinessCheck {
        let handle = self.handle
        return ReadinessCheck(name: "proxy") {
            // ProxyService offers a flag rather than an event: look every 10 ms, bounded by
            // the group (a proxy that fails to start throws and stops the group).
            while !(handle.current?.isAcceptingConnections() ?? false) {
                try await Task.sleep(for: .milliseconds(10))
            }
            handle.hasListened = true
        }
    }

    /// The probe starts once the proxy listens, so start-up is not mistaken for a failure.
    var probeService: some Service {
        DelayedService(probe, after: readiness().wait)
    }
}

/// The running `ProxyService` instance (a new one after each restart) and whether one has listened.
final class ProxyHandle: Sendable {
    private let state = Mutex<(current: ProxyService?, hasListened: Bool)>((nil, false))

    var current: ProxyService? {
        get { state.withLock { $0.current } }
        set { state.withLock { $0.current = newValue } }
    }

    var hasListened: Bool {
        get { state.withLock { $0.hasListened } }
        set { state.withLock { $0.hasListened = newValue } }
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
