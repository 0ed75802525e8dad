public import HACore
public import HAConfig
public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The embedded proxy as a swift-service-lifecycle `Service`: HAProxy's `frontend`,
/// `backend` and `listen` sections served on SwiftNIO event loops (`nbthread`, one
/// SO_REUSEPORT listener per loop).
///
/// `run()` binds every `bind` line (throwing a `ProxyError` naming the frontend and address
/// when one fails), starts health checks, serves until graceful shutdown or cancellation,
/// then stops accepting, lets running exchanges finish for a bounded time and returns.
public final class ProxyService: Service, Sendable {
    let planResult: Result<ProxyPlan, ProxyError>
    private let bus: EventBus
    let logger: Logger
    private let providedGroup: (any EventLoopGroup)?
    private let probeConnections: ProbeConnections
    let state: Mutex<RunState>
    /// How long running exchanges may take to finish after shutdown starts.
    public let drainTimeout: Duration
    /// The appliance's answer to statistics requests (see `StatsRequest`); set before `run()`.
    private let statsHookBox = Mutex<StatsHook?>(nil)
    /// Where stores into tables with `peers` go (see `installStickSink`).
    let stickSinkBox = Mutex<StickSink?>(nil)
    /// The instance whose stick tables this one starts from (a reload; see `inheritStickTables`).
    let stickSourceBox = Mutex<ProxyService?>(nil)

    struct RunState {
        var runtime: ProxyRuntime?
        var health: HealthMonitor?
        /// Each frontend's open listeners (none while it is disabled).
        var listeners: [[any Channel]] = []
        /// Each frontend's ports, one per `bind` line, as first bound (port 0 resolved).
        var boundPorts: [[Int]] = []
        /// Between a successful bind of every listener and shutdown.
        var listening = false
        /// The operator's changes, by name (see `ProxyOverrides`).
        var overrides: ProxyOverrides
        /// Each backend's admin states and weights as last handed to the loops.
        var controls: [BackendControl] = []
        /// Entries the peer sent before this instance served (`mergeStickRecords`), merged as it starts.
        var earlyStickRecords: [StickRecord] = []
    }

    /// - Parameters:
    ///   - plan: the proxy part of the configuration.
    ///   - eventLoopGroup: loops to serve on; by default the service makes `nbthread` loops
    ///     (one per core) and shuts them down when `run()` returns.
    ///   - probeConnections: the liveness probe's connections, neither logged nor counted.
    ///   - overrides: the operator's run-time changes to start with (the previous instance's
    ///     `operatorOverrides()` on a reload or restart); names this configuration lacks are dropped.
    public convenience init(configuration: Configuration, bus: EventBus, logger: Logger,
                            eventLoopGroup: (any EventLoopGroup)? = nil, drainTimeout: Duration = .seconds(5),
                            probeConnections: ProbeConnections = ProbeConnections(), overrides: ProxyOverrides = ProxyOverrides()) {
        let result: Result<ProxyPlan, ProxyError>
        do {
            result = .success(try ProxyPlan(configuration: configuration))
        } catch let error as ProxyError {
            result = .failure(error)
        } catch {
            result = .failure(ProxyError("\(error)"))
        }
        self.init(planResult: result, bus: bus, logger: logger, eventLoopGroup: eventLoopGroup, drainTimeout: drainTimeout,
                  probeConnections: probeConnections, overrides: overrides)
    }

    /// Checks that the proxy can honour every proxy keyword of `configuration` (for `hactl check`
    /// and reloads), without binding anything.
    /// Returns what deserves a warning at a line (an expired certificate).
    @discardableResult
    public static func validate(_ configuration: Configuration) throws -> [ConfigWarning] {
        try ProxyPlan(configuration: configuration).configWarnings
    }

    /// What `validate` finds, and the digests of the certificate, CA and key files the proxy
    /// loaded (for `Configuration.fileDigests`: a reload then sees a replaced file).
    public static func validation(_ configuration: Configuration) throws -> (warnings: [ConfigWarning], fileDigests: [String: String]) {
        let plan = try ProxyPlan(configuration: configuration)
        return (plan.configWarnings, plan.fileDigests)
    }

    package convenience init(plan: ProxyPlan, bus: EventBus, logger: Logger, eventLoopGroup: (any EventLoopGroup)? = nil,
                             drainTimeout: Duration = .seconds(5), probeConnections: ProbeConnections = ProbeConnections(),
                             overrides: ProxyOverrides = ProxyOverrides()) {
        self.init(planResult: .success(plan), bus: bus, logger: logger, eventLoopGroup: eventLoopGroup, drainTimeout: drainTimeout,
                  probeConnections: probeConnections, overrides: overrides)
    }

    private init(planResult: Result<ProxyPlan, ProxyError>, bus: EventBus, logger: Logger,
                 eventLoopGroup: (any EventLoopGroup)?, drainTimeout: Duration, probeConnections: ProbeConnections,
                 overrides: ProxyOverrides) {
        let plan = try? planResult.get()
        self.state = Mutex(RunState(overrides: plan.map { Self.keepingKnownNames(overrides, of: $0) } ?? overrides))
        self.probeConnections = probeConnections
        self.planResult = planResult
        self.bus = bus
        self.logger = logger
        self.providedGroup = eventLoopGroup
        self.drainTimeout = drainTimeout
    }

    /// Installs the closure that makes the statistics page and the Prometheus metrics; without
    /// one, requests for them get 503. Takes effect at the next `run()`.
    public func installStatsHook(_ hook: @escaping StatsHook) {
        statsHookBox.withLock { $0 = hook }
    }

    /// The liveness hook: true between a successful bind of every listener and shutdown, while
    /// no frontend is disabled by the operator (`disable frontend` is how operators rehearse a
    /// failover: the proxy then counts as not serving).
    public func isAcceptingConnections() -> Bool {
        state.withLock { $0.listening && $0.overrides.disabledFrontends.isEmpty }
    }

    /// True between a successful start (every listener bound, even those of frontends the
    /// operator keeps disabled, which are closed again at once) and shutdown. A reload switches
    /// to a new instance once this holds.
    public func isListening() -> Bool {
        state.withLock { $0.listening }
    }

    /// Where the listeners are bound (ports resolved when a bind asked for port 0); a disabled
    /// frontend has none.
    public func boundAddresses() -> [SocketAddress] {
        state.withLock { $0.listeners.joined().compactMap(\.localAddress) }
    }

    public func run() async throws {
        let plan = try planResult.get()
        let ownGroup: MultiThreadedEventLoopGroup?
        let group: any EventLoopGroup
        if let providedGroup {
            ownGroup = nil
            group = providedGroup
        } else {
            let made = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads > 0 ? plan.threads : System.coreCount)
            ownGroup = made
            group = made
        }
        do {
            try await serve(plan: plan, group: group)
        } catch {
            try? await ownGroup?.shutdownGracefully()
            throw error
        }
        try? await ownGroup?.shutdownGracefully()
    }

    private func serve(plan: ProxyPlan, group: any EventLoopGroup) async throws {
        let loops = Array(group.makeIterator())
        let backends = try plan.backends.enumerated().map { index, backend in
            BackendState(index: index, plan: backend, addresses: try backend.servers.map { server in
                do {
                    let address = try SocketAddress.makeAddressResolvingHost(server.host, port: server.port)
                    let check = try SocketAddress.makeAddressResolvingHost(server.checkHost ?? server.host,
                                                                           port: server.checkPort ?? server.port)
                    return (address, check)
                } catch {
                    throw ProxyError("backend '\(backend.name)': server '\(server.name)': cannot resolve \(server.host):\(server.port): \(error)")
                }
            })
        }
        for warning in plan.warnings { logger.warning("\(warning)") }
        let limits = ConnectionLimits(requested: plan.maxconn, descriptorLimit: ConnectionLimits.raiseDescriptorLimit())
        if limits.isCapped {
            logger.warning("global maxconn lowered to what the open-files limit allows", metadata: [
                "maxconn": "\(limits.requestedGlobalMaxconn)", "effective": "\(limits.globalMaxconn)",
                "nofile": "\(limits.descriptorLimit)",
            ])
        }
        let overrides = state.withLock { $0.overrides }
        let controls = Self.initialControls(plan: plan, overrides: overrides)
        let inherited = await inheritedStickRecords(plan: plan)
        let runtime = ProxyRuntime(plan: plan, backends: backends, loops: loops, bus: bus, logger: logger,
                                   logSink: LogSink(targets: plan.logTargets), limits: limits, probeConnections: probeConnections, statsHook: statsHookBox.withLock { $0 },
                                   initialControls: controls, initialStickRecords: inherited, stickSink: stickSinkBox.withLock { $0 })
        try await runtime.makeContexts()
        var listeners: [[any Channel]]
        do {
            listeners = try await Listener.bindAll(runtime: runtime)
        } catch {
            await runtime.shutdownContexts()
            throw error
        }
        let perLoop = runtime.contexts.count
        let boundPorts = listeners.map { channels in
            stride(from: 0, to: channels.count, by: max(perLoop, 1)).map { channels[$0].localAddress?.port ?? 0 }
        }
        // Frontends the operator disabled before this instance: bound (so a bad address shows
        // now), then closed until `enable frontend`.
        for (f, frontend) in plan.frontends.enumerated() where overrides.disabledFrontends.contains(frontend.name) {
            await closeListeners(listeners[f], frontend: f, runtime: runtime)
            listeners[f] = []
        }
        let health = try await HealthMonitor(runtime: runtime)
        runtime.healthObserver = health
        for (b, control) in controls.enumerated() {
            for s in control.admin.indices where control.admin[s] == .maint {
                await health.setMaintenance(backend: b, server: s, true)
            }
        }
        health.start()
        let early = state.withLock { state in
            state.runtime = runtime
            state.health = health
            state.listeners = listeners
            state.boundPorts = boundPorts
            state.controls = controls
            state.listening = true
            defer { state.earlyStickRecords = [] }
            return state.earlyStickRecords
        }
        if !early.isEmpty {
            await mergeStickRecords(early, into: runtime)
            logger.info("stick table entries the peer sent before the proxy served, merged", metadata: ["entries": "\(early.count)"])
        }
        logger.info("proxy listening", metadata: [
            "frontends": "\(plan.frontends.map(\.name))",
            "addresses": "\(listeners.joined().compactMap(\.localAddress))",
            "threads": "\(loops.count)",
        ])
        if !overrides.isEmpty {
            logger.notice("operator overrides carried over", metadata: [
                "admin": "\(overrides.serverAdmin.map { "\($0.key)=\($0.value)" }.sorted())",
                "weights": "\(overrides.serverWeights.map { "\($0.key)=\($0.value)" }.sorted())",
                "disabledFrontends": "\(overrides.disabledFrontends.sorted())",
            ])
        }
        #if DEBUG
        TestFaults.armLoopStall(loops: loops, logger: logger)
        #endif

        // Serve until graceful shutdown (or cancellation, which `gracefulShutdown()` reports by throwing).
        #if DEBUG
        let injectedFailure = await TestFaults.serveUntilShutdownOrInjectedFailure(logger: logger)
        #else
        try? await gracefulShutdown()
        #endif

        let open = state.withLock {
            $0.listening = false
            let open = $0.listeners
            $0.listeners = Array(repeating: [], count: open.count)
            return open
        }
        logger.info("proxy stopping: closing listeners")
        for listener in open.joined() { try? await listener.close() }
        await health.stop()
        await runtime.softStop()
        await drain(runtime)
        await runtime.shutdownContexts()
        state.withLock {
            $0.listeners = []
            $0.runtime = nil
            $0.health = nil
        }
        #if DEBUG
        if injectedFailure { throw TestFaults.InjectedFailure() }
        #endif
    }

    /// Waits, bounded by `drainTimeout`, for sessions to end on their own.
    private func drain(_ runtime: ProxyRuntime) async {
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        while clock.now < deadline {
            var active = 0
            for context in runtime.contexts {
                active += (try? await context.eventLoop.submit { context.value.activeSessions }.get()) ?? 0
            }
            if active == 0 { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private static func secondsSince(_ uptime: Int64) -> Int? {
        guard uptime > 0 else { return nil }
        return Int((Int64(NIODeadline.now().uptimeNanoseconds) - uptime) / 1_000_000_000)
    }

    /// Counters and states of every frontend, backend and server (HAProxy's `show stat`), the
    /// counters added up over the loops now.
    public func snapshot() async -> ProxyStatistics {
        let (runtime, controls, overrides) = state.withLock { ($0.runtime, $0.controls, $0.overrides) }
        guard let runtime else { return ProxyStatistics() }
        let plan = runtime.plan
        let counters = await runtime.collectCounters()
        return ProxyStatistics(
            frontends: plan.frontends.enumerated().map { f, frontend in
                ProxyStatistics.Frontend(name: frontend.name, counters: counters.frontends[f],
                                         status: overrides.disabledFrontends.contains(frontend.name) ? .stop : .open)
            },
            backends: runtime.backends.map { backend in
                let control = controls[backend.index]
                return ProxyStatistics.Backend(
                    name: backend.plan.name, counters: counters.backends[backend.index],
                    servers: backend.servers.enumerated().map { s, server in
                        let admin = control.admin[s]
                        let weight = control.weights[s]
                        let serverCounters = counters.servers[backend.index][s]
                        return ProxyStatistics.Server(
                            name: server.plan.name, address: server.plan.host.contains(":") ? "[\(server.plan.host)]:\(server.plan.port)" : "\(server.plan.host):\(server.plan.port)", up: server.isUp,
                            status: ProxyStatistics.ServerStatus(up: server.isUp, admin: admin, weight: weight),
                            adminState: admin, weight: weight, configuredWeight: server.plan.weight,
                            checked: server.plan.check,
                            lastCheck: server.lastCheck.withLock { $0 },
                            lastCheckResult: server.lastCheckResult.withLock { $0 }.map {
                                ProxyStatistics.CheckResult(passed: $0.passed, reason: $0.reason)
                            },
                            activeConnections: server.active.load(ordering: .relaxed),
                            queueLength: serverCounters.queueCurrent,
                            secondsSinceLastChange: Self.secondsSince(server.lastChange.load(ordering: .relaxed)),
                            counters: serverCounters
                        )
                    }
                )
            }
        )
    }
}
