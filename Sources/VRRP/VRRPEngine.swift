public import HAConfig
public import HACore
public import Logging
import NIOCore
import NIOPosix
import Netlink
public import ServiceLifecycle
import Synchronization

/// The VRRP side of hactl (keepalived's VRRP daemon): one `VirtualRouterNode` per
/// `vrrp_instance`, each on its own event loop, speaking RFC 9568 (v3) or RFC 3768 (v2).
///
/// A swift-service-lifecycle `Service`: `run()` starts every instance and returns after graceful
/// shutdown (or cancellation), when every MASTER has resigned with a priority-0 advert and every
/// VIP is gone — also when starting fails half-way. Transitions, drops and tracker changes are
/// published on the `EventBus`; `.proxyHealth` events from the bus (or `setProxyHealth`) drive
/// `track_proxy`.
public final class VRRPEngine: Service, Sendable {
    /// The priority and initial state one instance runs with, after the role and overrides.
    public struct InstanceSettings: Sendable, Hashable {
        public var priority: Int
        /// keepalived `state`. Like keepalived 2.x, MASTER below priority 255 still starts in BACKUP
        /// and takes over after Master_Down_Interval unless it hears a higher-priority master.
        public var state: VRRPInitialState

        public init(priority: Int, state: VRRPInitialState) {
            self.priority = priority
            self.state = state
        }
    }

    /// What runs (or will run at start); replaced by `apply`.
    let plans: Mutex<[InstancePlan]>
    private let bus: EventBus
    let logger: Logger
    let nodes: Mutex<[VirtualRouterNode]> = Mutex([])
    /// What `apply` needs to build nodes while the engine runs; nil before start and after stop.
    let runtime: Mutex<Runtime?> = Mutex(nil)

    struct Runtime: Sendable {
        var group: MultiThreadedEventLoopGroup
        var environment: NodeEnvironment
        var syncGroups: [String: SyncGroup]
    }
    let proxyUp: Mutex<(Bool, String)> = Mutex((true, "initial"))

    /// - Parameter settings: each instance's resolved priority and state (the appliance applies
    ///   `--priority` > file > role and logs overrides).
    public init(
        configuration: Configuration, bus: EventBus, logger: Logger,
        settings: (VRRPInstanceConfig) -> InstanceSettings
    ) throws(VRRPConfigurationErrors) {
        self.plans = Mutex(try Self.plans(for: configuration, settings: settings))
        self.bus = bus
        self.logger = logger
    }

    /// Resolves priority and state itself: `priorityOverride` > the file's `priority` / `state`
    /// > `defaultPriority` / `defaultState` (the role's: master 250, backup 240). Logs overrides once.
    public convenience init(
        configuration: Configuration, defaultPriority: Int, defaultState: VRRPInitialState,
        priorityOverride: Int? = nil, bus: EventBus, logger: Logger
    ) throws(VRRPConfigurationErrors) {
        try self.init(configuration: configuration, bus: bus, logger: logger) { instance in
            let priority = priorityOverride ?? instance.priority ?? defaultPriority
            if priority != defaultPriority {
                logger.notice(
                    "priority override",
                    metadata: [
                        "instance": "\(instance.name)", "priority": "\(priority)",
                        "source": "\(priorityOverride != nil ? "command line" : instance.location.description)",
                    ])
            }
            return InstanceSettings(priority: priority, state: instance.initialState ?? defaultState)
        }
    }

    /// The instance names, in configuration order.
    public var instanceNames: [String] { plans.withLock { $0.map(\.name) } }

    public func run() async throws {
        let plans = self.plans.withLock { $0 }
        guard !plans.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: plans.count)
        var linkMonitor: LinkMonitor?
        var busTask: Task<Void, Never>?
        var failure: (any Error)?
        do {
            let environment = NodeEnvironment(
                bus: bus, logger: logger, addresses: try AddressTable(),
                notifier: NotifyRunner(eventLoopGroup: group, logger: logger))
            var runtime = Runtime(group: group, environment: environment, syncGroups: [:])
            let built = try buildNodes(plans, runtime: &runtime)
            nodes.withLock { $0 = built }
            self.runtime.withLock { $0 = runtime }
            let stream = await bus.subscribe()
            busTask = Task { [weak self] in
                for await event in stream {
                    if case .proxyHealth(let up, let reason) = event { self?.setProxyHealth(up: up, reason: reason) }
                }
            }
            linkMonitor = try LinkMonitor { [weak self] index, up in
                for node in self?.currentNodes ?? [] {
                    node.eventLoop.execute { node.linkChanged(index: index, up: up) }
                }
            }
            let (proxyIsUp, proxyReason) = proxyUp.withLock { $0 }
            for node in built {
                try await node.eventLoop.submit {
                    if !proxyIsUp { node.proxyHealthChanged(up: false, reason: proxyReason) }
                    try node.start()
                }.get()
            }
            try await gracefulShutdown()
        } catch is CancellationError {
            // Cancellation is a stop request like graceful shutdown: fall through to the cleanup.
        } catch {
            logger.error("VRRP engine failed", metadata: ["error": "\(error)"])
            failure = error
        }
        busTask?.cancel()
        linkMonitor?.stop()
        runtime.withLock { $0 = nil }
        // Every instance resigns at once, each on its own loop: none waits for another's cleanup.
        let stops = currentNodes.map { node in node.eventLoop.submit { node.stop() } }
        for stop in stops { try? await stop.get() }
        nodes.withLock { $0 = [] }
        try? await group.shutdownGracefully()
        if let failure { throw failure }
    }

    /// `track_proxy`: the proxy's liveness verdict. Instances tracking it go to FAULT while it is down.
    public func setProxyHealth(up: Bool, reason: String = "") {
        proxyUp.withLock { $0 = (up, reason) }
        for node in currentNodes {
            node.eventLoop.execute { node.proxyHealthChanged(up: up, reason: reason) }
        }
    }

    /// Every instance's state for `hactl status`.
    public func status() async -> [VRRPInstanceStatus] {
        var result: [VRRPInstanceStatus] = []
        for node in currentNodes {
            if let status = try? await node.eventLoop.submit({ node.status() }).get() { result.append(status) }
        }
        return result
    }

    var currentNodes: [VirtualRouterNode] { nodes.withLock { $0 } }

    private func buildNodes(_ plans: [InstancePlan], runtime: inout Runtime) throws -> [VirtualRouterNode] {
        let existing = try runtime.environment.addresses.addresses()
        let allVIPs = Set(plans.flatMap { $0.virtualAddresses.map(\.address) })
        let ownAddresses = Set(existing.map(\.address)).subtracting(allVIPs)
        let built = try plans.map { plan in
            try buildNode(plan, among: plans, existing: existing, ownAddresses: ownAddresses, runtime: &runtime)
        }
        for node in built {
            node.siblingVRIDs = Self.siblingVRIDs(of: node, among: built)
        }
        return built
    }

    static func siblingVRIDs(of node: VirtualRouterNode, among nodes: [VirtualRouterNode]) -> Set<UInt8> {
        Set(
            nodes.filter { $0 !== node && $0.interface == node.interface && $0.plan.ipv4 == node.plan.ipv4 }
                .map(\.plan.virtualRouterID))
    }

    static func virtualAddresses(of plan: InstancePlan) throws(VRRPConfigurationError) -> [InterfaceAddress] {
        var vips: [InterfaceAddress] = []
        for vip in plan.virtualAddresses {
            let device = vip.device ?? plan.interface
            guard let target = NetworkInterface(name: device) else {
                throw VRRPConfigurationError(instance: plan.name, location: plan.location, message: "dev \(device) does not exist")
            }
            vips.append(
                InterfaceAddress(
                    address: vip.address, prefixLength: vip.prefixLength, interfaceIndex: target.index, label: vip.label,
                    broadcast: vip.broadcast, scope: vip.scope))
        }
        return vips
    }

    func buildNode(
        _ plan: InstancePlan, among plans: [InstancePlan], existing: [InterfaceAddress], ownAddresses: Set<IPAddress>,
        runtime: inout Runtime
    ) throws -> VirtualRouterNode {
        func fail(_ message: String) -> VRRPConfigurationError {
            VRRPConfigurationError(instance: plan.name, location: plan.location, message: message)
        }
        let allVIPs = Set(plans.flatMap { $0.virtualAddresses.map(\.address) })
        guard let interface = NetworkInterface(name: plan.interface) else {
            throw fail("interface \(plan.interface) does not exist")
        }
        let vips = try Self.virtualAddresses(of: plan)
        let candidates = existing.filter {
            $0.interfaceIndex == interface.index && $0.address.isIPv4 == plan.ipv4 && !allVIPs.contains($0.address)
                && (plan.ipv4 || $0.address.isIPv6LinkLocal)
        }
        guard let source = plan.sourceAddress ?? candidates.first?.address else {
            throw fail("interface \(plan.interface) has no \(plan.ipv4 ? "IPv4" : "IPv6 link-local") address to send from")
        }
        let destinations =
            plan.unicastPeers.isEmpty ? [plan.multicastGroup] : plan.unicastPeers.filter { !ownAddresses.contains($0) }
        let node = VirtualRouterNode(
            plan: plan, eventLoop: runtime.group.next(), interface: interface, sourceAddress: source,
            destinations: destinations, virtualAddresses: vips, environment: runtime.environment)
        node.ownAddresses = ownAddresses
        if let name = plan.syncGroup {
            let syncGroup =
                runtime.syncGroups[name] ?? SyncGroup(name: name, members: plans.filter { $0.syncGroup == name }.map(\.name))
            runtime.syncGroups[name] = syncGroup
            syncGroup.add(node)
            node.syncGroup = syncGroup
        }
        return node
    }
}
