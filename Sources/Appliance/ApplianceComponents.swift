import HACore
import HAConfig
import Logging
import NIOCore
import PeerLink
import Proxy
import ServiceLifecycle
import VRRP

/// The configuration-driven services of the group (the proxy, the VRRP engine) with what
/// tells when they are up and how a reload reaches them.
struct ApplianceComponents: Sendable {
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    var readiness: [ReadinessCheck] = []
    var apply: ConfigurationReloader.ApplyChanges
    /// Every event loop of the proxy and of the VRRP engine, for the systemd watchdog.
    var heartbeats: [WatchdogPinger.Heartbeat] = []
    /// What the control socket reads and drives.
    var proxy: SupervisedProxy?
    var vrrp: VRRPEngine?
    /// The channel to the other hactl node of the pair (`peers`), when configured.
    var peerLink: PeerLink?
    /// The operator's server overrides shared with the peer; nil without a `peers` section.
    var overrideSync: OverrideSync?

    /// Runs every heartbeat at once; names the loops that did not answer within `deadline`.
    var heartbeat: WatchdogPinger.Heartbeat {
        let heartbeats = self.heartbeats
        return { deadline in
            await withTaskGroup(of: [String].self) { group in
                for heartbeat in heartbeats { group.addTask { await heartbeat(deadline) } }
                var unresponsive: [String] = []
                for await names in group { unresponsive += names }
                return unresponsive.sorted()
            }
        }
    }

    /// Components given directly (services already built elsewhere, or none).
    init(services: [ServiceGroupConfiguration.ServiceConfiguration] = [], readiness: [ReadinessCheck] = [],
         heartbeats: [WatchdogPinger.Heartbeat] = [], apply: @escaping ConfigurationReloader.ApplyChanges = { _, _ in ReloadReport() }) {
        self.services = services
        self.readiness = readiness
        self.heartbeats = heartbeats
        self.apply = apply
    }

    /// - Parameter configuration: resolved: every instance's priority and state filled in by
    ///   `RolePrecedence` (which also logged the overrides).
    ///
    /// Order matters: the group stops services in reverse, so VRRP (listed last) resigns first —
    /// the peer takes the VIP on our priority-0 advert — and the proxy (listed first) drains the
    /// connections it still has after that.
    init(configuration: Configuration, liveness: LivenessState.Tuning, bus: EventBus, logger: Logger) async throws {
        var proxy: SupervisedProxy?
        if !configuration.frontends.isEmpty {
            let supervised = SupervisedProxy(configuration: configuration, tuning: liveness, bus: bus, logger: logger)
            readiness.append(supervised.readiness())
            services.append(.init(service: supervised.supervisor, serviceName: "proxy"))
            services.append(.init(service: supervised.probeService, serviceName: "liveness-probe"))
            proxy = supervised
        }
        var vrrp: VRRPEngine?
        if !configuration.vrrpInstances.isEmpty {
            let engine = try VRRPEngine(configuration: configuration, bus: bus, logger: Logger(label: "vrrp"), settings: Self.vrrpSettings)
            readiness.append(await .vrrpInstancesStarted(configuration.vrrpInstances.map(\.name), bus: bus))
            services.append(.init(service: engine, serviceName: "vrrp"))
            vrrp = engine
        }
        if let settings = try PeerLinkSetup.settings(for: configuration) {
            // Listed before VRRP so it stops after it: a resigning MASTER's priority-0 advert
            // goes out before the channel's FIN reaches the peer.
            let sync = OverrideSync(node: settings.localName, proxy: proxy, logger: Logger(label: "peer-link"))
            let stickSync = proxy.map { StickTableSync(proxy: $0, logger: Logger(label: "peer-link")) }
            let link = PeerLinkSetup.makeLink(settings: settings, vrrp: vrrp, overrideSync: sync, stickSync: stickSync, logger: Logger(label: "peer-link"))
            sync.attach(link)
            stickSync?.attach(link)
            overrideSync = sync
            services.insert(.init(service: link, serviceName: "peer-link"), at: services.count - (vrrp == nil ? 0 : 1))
            services.append(.init(service: PeerHealthReporter(link: link, vrrp: vrrp, bus: bus), serviceName: "peer-health"))
            peerLink = link
        }
        self.proxy = proxy
        self.vrrp = vrrp
        if let proxy {
            heartbeats.append { deadline in
                guard let host = proxy.host else { return [] }  // between restarts: nothing to wedge
                return await host.loopsResponsive(within: .microseconds(deadline.microseconds)) ? [] : ["proxy event loops"]
            }
        }
        if let vrrp {
            heartbeats.append { deadline in
                await vrrp.loopsResponsive(within: .microseconds(deadline.microseconds)) ? [] : ["VRRP event loops"]
            }
        }
        let runningProxy = proxy
        let runningVRRP = vrrp
        apply = { resolved, diff in
            var report = await Self.apply(diff, resolved: resolved, proxy: runningProxy, vrrpRunning: runningVRRP != nil)
            if let runningVRRP { await report.applyVRRP(diff, resolved: resolved, engine: runningVRRP) }
            return report
        }
    }

    /// Every instance's priority and state: `RolePrecedence` filled them in.
    static let vrrpSettings: @Sendable (VRRPInstanceConfig) -> VRRPEngine.InstanceSettings = { instance in
        VRRPEngine.InstanceSettings(priority: instance.priority ?? 0, state: instance.initialState ?? .backup)
    }

    /// Proxy changes (frontends, backends, HAProxy's `global` keys) are applied by replacing the
    /// proxy seamlessly. While the VRRP engine runs, instance, script and track-file changes are
    /// left to `ReloadReport.applyVRRP`; the rest of VRRP needs a restart.
    /// keepalived's `global_defs` keys while no VRRP instance runs or will run concern nothing
    /// that runs: they count as applied.
    static func apply(_ diff: ConfigurationDiff, resolved: Configuration, proxy: SupervisedProxy?, vrrpRunning: Bool) async -> ReloadReport {
        var report = ReloadReport()
        var proxyChanges: [ConfigurationDiff.Change] = []
        for change in diff.changes {
            switch change.section {
            case .frontend, .backend, .global:
                proxyChanges.append(change)
            case .globalDefs where !vrrpRunning && resolved.vrrpInstances.isEmpty:
                report.applied.append(change)
            case .vrrpInstance where vrrpRunning, .vrrpScript where vrrpRunning, .vrrpTrackFile where vrrpRunning:
                break  // ReloadReport.applyVRRP
            case .globalDefs, .vrrpInstance, .vrrpSyncGroup, .vrrpScript, .vrrpTrackFile:
                report.needsRestart.append((change, "the VRRP engine reads its configuration at start; restart hactl (the peer holds the VIP meanwhile)"))
            case .peers:
                report.needsRestart.append((change, "the peer link reads its peers, localpeer and peer-key at start; restart hactl on both nodes (the old link keeps running meanwhile)"))
            }
        }
        guard !proxyChanges.isEmpty else { return report }
        guard let proxy else {
            report.needsRestart += proxyChanges.map { ($0, "hactl started without frontends; restart it to start the proxy") }
            return report
        }
        guard !resolved.frontends.isEmpty else {
            report.needsRestart += proxyChanges.map { ($0, "every frontend was removed; restart hactl to stop the proxy") }
            return report
        }
        if let failure = await proxy.replace(with: resolved) {
            report.failed += proxyChanges.map { ($0, failure) }
        } else {
            report.applied += proxyChanges
        }
        return report
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
