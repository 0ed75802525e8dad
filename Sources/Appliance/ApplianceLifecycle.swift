public import HACore
public import Logging
public import ServiceLifecycle
public import Systemd
import Synchronization
import UnixSignals

/// The appliance's own lifecycle as a `Service`, last in the group (so first to stop):
/// waits until every configured component is up, then publishes `.ready` and tells systemd
/// `READY=1`; reloads on SIGHUP; on SIGTERM/SIGINT tells systemd `STOPPING=1`, publishes
/// `.stopping` and returns, which gracefully shuts the group down (systemd.service(5)
/// `Type=notify`, sd_notify(3)).
public struct ApplianceLifecycle: Service {
    private let bus: EventBus
    private let notifier: ServiceNotifier
    private let readiness: [ReadinessCheck]
    private let summary: String
    private let reloader: ConfigurationReloader
    private let logger: Logger

    public init(
        bus: EventBus,
        notifier: ServiceNotifier,
        readiness: [ReadinessCheck],
        summary: String,
        reloader: ConfigurationReloader,
        logger: Logger
    ) {
        self.bus = bus
        self.notifier = notifier
        self.readiness = readiness
        self.summary = summary
        self.reloader = reloader
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        let signal = try await cancelWhenGracefulShutdown { try await self.serve(signals) }
        let reason = signal.map { "\($0)" } ?? "graceful shutdown requested"
        notifier.notify(.stopping)
        await bus.publish(.lifecycle(.stopping(reason: reason)))
    }

    /// Runs until SIGTERM/SIGINT (returned) or cancellation (nil).
    private func serve(_ signals: UnixSignalsSequence) async throws -> UnixSignal? {
        // A SIGHUP before READY=1 waits for it: a reload ends with READY=1, which must not
        // tell systemd we are up before we are.
        let gate = ReloadGate()
        return try await withThrowingTaskGroup(of: UnixSignal?.self) { group in
            group.addTask {
                try await self.announceReadiness()
                if gate.markReady() { await reloader.reload() }
                return nil
            }
            group.addTask {
                for await signal in signals {
                    if signal == .sighup {
                        if gate.deferUntilReady() { continue }
                        await reloader.reload()
                    } else {
                        return signal
                    }
                }
                return nil
            }
            // The readiness task ends with nil once READY=1 is sent; the signal task with the
            // stopping signal, or nil when cancelled.
            while let finished = try await group.next() {
                if let signal = finished {
                    group.cancelAll()
                    return signal
                }
            }
            return nil
        }
    }

    private func announceReadiness() async throws {
        for check in readiness {
            try await check.wait()
            logger.info("component up", metadata: ["component": "\(check.name)"])
        }
        await bus.publish(.lifecycle(.ready(summary: summary)))
        notifier.notify(.ready)
    }
}

/// One thing that must be up before systemd hears `READY=1` (the proxy listening on every
/// bind, each VRRP instance's socket open).
public struct ReadinessCheck: Sendable {
    public var name: String
    public var wait: @Sendable () async throws -> Void

    public init(name: String, wait: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.wait = wait
    }
}

/// Holds a SIGHUP that arrives before start-up is announced.
final class ReloadGate: Sendable {
    private let state = Mutex((ready: false, pending: false))

    /// Start-up is announced; returns whether a reload was waiting for it.
    func markReady() -> Bool {
        state.withLock { state in
            state.ready = true
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Returns true (and remembers the reload) when start-up is not announced yet.
    func deferUntilReady() -> Bool {
        state.withLock { state in
            if state.ready { return false }
            state.pending = true
            return true
        }
    }
}
