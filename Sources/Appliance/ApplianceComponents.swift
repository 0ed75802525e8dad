import HACore
import HAConfig
import Logging
import Proxy
import ServiceLifecycle
import VRRP

/// The configuration-driven services of the group (the proxy, the VRRP engine) with what
/// tells when they are up and how a reload reaches them.
struct ApplianceComponents: Sendable {
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    var readiness: [ReadinessCheck] = []
    var apply: ConfigurationReloader.ApplyChanges

    /// - Parameter configuration: resolved: every instance's priority and state filled in by
    ///   `RolePrecedence` (which also logged the overrides).
    ///
    /// Order matters: the group stops services in reverse, so VRRP (listed last) resigns first —
    /// the peer takes the VIP on our priority-0 advert — and the proxy (listed first) drains the
    /// connections it still has after that.
    init(configuration: Configuration, liveness: LivenessState.Tuning, bus: EventBus, logger: Logger) async throws {
        if !configuration.frontends.isEmpty {
            let proxy = SupervisedProxy(configuration: configuration, tuning: liveness, bus: bus, logger: logger)
            readiness.append(proxy.readiness())
            services.append(.init(service: proxy.supervisor, serviceName: "proxy"))
            services.append(.init(service: proxy.probeService, serviceName: "liveness-probe"))
        }
        if !configuration.vrrpInstances.isEmpty {
            let engine = try VRRPEngine(configuration: configuration, bus: bus, logger: Logger(label: "vrrp")) { instance in
                VRRPEngine.InstanceSettings(
                    priority: instance.priority ?? 0,  // RolePrecedence filled every instance in
                    state: instance.initialState ?? .backup
                )
            }
            readiness.append(await .vrrpInstancesStarted(configuration.vrrpInstances.map(\.name), bus: bus))
            services.append(.init(service: engine, serviceName: "vrrp"))
        }
        apply = { _, diff in
            ReloadReport(needsRestart: diff.changes.map { change in
                (change, Self.restartReason(for: change))
            })
        }
    }

    /// Why a change is not applied live (yet): said plainly so an operator knows to restart.
    static func restartReason(for change: ConfigurationDiff.Change) -> String {
        switch change.section {
        case .vrrpInstance, .vrrpSyncGroup, .vrrpScript, .vrrpTrackFile:
            "the VRRP engine reads its instances at start; restart hactl (the peer holds the VIP meanwhile)"
        case .frontend, .backend, .global:
            "the proxy reads its configuration at start; restart hactl"
        }
    }
}

extension ReadinessCheck {
    /// Up when every named VRRP instance has left INIT (RFC 9568 §6.4.1: socket open, state
    /// machine running as BACKUP or MASTER). Subscribes at once so no transition is missed.
    static func vrrpInstancesStarted(_ names: [String], bus: EventBus) async -> ReadinessCheck {
        let stream = await bus.subscribe()
        return ReadinessCheck(name: "vrrp") {
            var waiting = Set(names)
            for await event in stream {
                if case .vrrpTransition(let instance, "INIT", _, _) = event { waiting.remove(instance) }
                if waiting.isEmpty { return }
            }
            throw CancellationError()
        }
    }
}
