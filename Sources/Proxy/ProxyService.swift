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
    private let planResult: Result<ProxyPlan, ProxyError>
    private let bus: EventBus
    private let logger: Logger
    private let providedGroup: (any EventLoopGroup)?
    private let probeConnections: ProbeConnections
    private let state = Mutex<RunState>(RunState())
    /// How long running exchanges may take to finish after shutdown starts.
    public let drainTimeout: Duration

    struct RunState {
        var runtime: ProxyRuntime?
        var listeners: [any Channel] = []
        var accepting = false
    }

    /// - Parameters:
    ///   - plan: the proxy part of the configuration.
    ///   - eventLoopGroup: loops to serve on; by default the service makes `nbthread` loops
    ///     (one per core) and shuts them down when `run()` returns.
    ///   - probeConnections: the liveness probe's connections, neither logged nor counted.
    public convenience init(configuration: Configuration, bus: EventBus, logger: Logger,
                            eventLoopGroup: (any EventLoopGroup)? = nil, drainTimeout: Duration = .seconds(5),
                            probeConnections: ProbeConnections = ProbeConnections()) {
        let result: Result<ProxyPlan, ProxyError>
        do {
            result = .success(try ProxyPlan(configuration: configuration))
        } catch let error as ProxyError {
            result = .failure(error)
        } catch {
            result = .failure(ProxyError("\(error)"))
        }
        self.init(planResult: result, bus: bus, logger: logger, eventLoopGroup: eventLoopGroup, drainTimeout: drainTimeout,
                  probeConnections: probeConnections)
    }

    /// Checks that the proxy can honour every proxy keyword of `configuration` (for `hactl check`
    /// and reloads), without binding anything.
    /// Returns what deserves a warning at a line (an expired certificate).
    @discardableResult
    public static func validate(_ configuration: Configuration) throws -> [ConfigWarning] {
        try ProxyPlan(configuration: configuration).configWarnings
    }

    package convenience init(plan: ProxyPlan, bus: EventBus, logger: Logger, eventLoopGroup: (any EventLoopGroup)? = nil,
                             drainTimeout: Duration = .seconds(5), probeConnections: ProbeConnections = ProbeConnections()) {
        self.init(planResult: .success(plan), bus: bus, logger: logger, eventLoopGroup: eventLoopGroup, drainTimeout: drainTimeout,
                  probeConnections: probeConnections)
    }

    private init(planResult: Result<ProxyPlan, ProxyError>, bus: EventBus, logger: Logger,
                 eventLoopGroup: (any EventLoopGroup)?, drainTimeout: Duration, probeConnections: ProbeConnections) {
        self.probeConnections = probeConnections
        self.planResult = planResult
        self.bus = bus
        self.logger = logger
        self.providedGroup = eventLoopGroup
        self.drainTimeout = drainTimeout
    }

    /// The liveness hook: true between a successful bind of every listener and shutdown.
    public func isAcceptingConnections() -> Bool {
        state.withLock { $0.accepting }
    }

    /// Where the listeners are bound (ports resolved when a bind asked for port 0).
    public func boundAddresses() -> [SocketAddress] {
        state.withLock { $0.listeners.compactMap(\.localAddress) }
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
        let runtime = ProxyRuntime(plan: plan, backends: backends, loops: loops, bus: bus, logger: logger,
                                   logSink: LogSink(targets: plan.logTargets), limits: limits, probeConnections: probeConnections)
        try await runtime.makeContexts()
        let listeners: [any Channel]
        do {
            listeners = try await Listener.bindAll(runtime: runtime)
        } catch {
            await runtime.shutdownContexts()
            throw error
        }
        let health = try await HealthMonitor(runtime: runtime)
        runtime.healthObserver = health
        health.start()
        state.withLock {
            $0.runtime = runtime
            $0.listeners = listeners
            $0.accepting = true
        }
        logger.info("proxy listening", metadata: [
            "frontends": "\(plan.frontends.map(\.name))",
            "addresses": "\(listeners.compactMap(\.localAddress))",
            "threads": "\(loops.count)",
        ])

        // Serve until graceful shutdown (or cancellation, which `gracefulShutdown()` reports by throwing).
        try? await gracefulShutdown()

        state.withLock { $0.accepting = false }
        logger.info("proxy stopping: closing listeners")
        for listener in listeners { try? await listener.close() }
        await health.stop()
        await runtime.softStop()
        await drain(runtime)
        await runtime.shutdownContexts()
        state.withLock {
            $0.listeners = []
            $0.runtime = nil
        }
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

    /// Counters of every frontend, backend and server, added up over the loops.
    public func snapshot() async -> ProxyStatistics {
        guard let runtime = state.withLock({ $0.runtime }) else { return ProxyStatistics() }
        let plan = runtime.plan
        let counters = await runtime.collectCounters()
        return ProxyStatistics(
            frontends: plan.frontends.enumerated().map { ProxyStatistics.Frontend(name: $1.name, counters: counters.frontends[$0]) },
            backends: runtime.backends.map { backend in
                ProxyStatistics.Backend(
                    name: backend.plan.name, counters: counters.backends[backend.index],
                    servers: backend.servers.enumerated().map { s, server in
                        ProxyStatistics.Server(
                            name: server.plan.name, up: server.isUp, checked: server.plan.check,
                            lastCheck: server.lastCheck.withLock { $0 },
                            activeConnections: server.active.load(ordering: .relaxed),
                            secondsSinceLastChange: Self.secondsSince(server.lastChange.load(ordering: .relaxed)),
                            counters: counters.servers[backend.index][s]
                        )
                    }
                )
            }
        )
    }
}
