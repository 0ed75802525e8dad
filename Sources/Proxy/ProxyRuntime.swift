import HACore
import Logging
import NIOCore
import Synchronization

/// Everything the event loops share, immutable or atomic: the plan, backends with their
/// server states, the bus, the log sink, and the per-loop contexts.
final class ProxyRuntime: Sendable {
    let plan: ProxyPlan
    let backends: [BackendState]
    let loops: [any EventLoop]
    let bus: EventBus
    let logger: Logger
    let logSink: LogSink
    /// One sink per frontend (its own `log` targets, or the plan's).
    let frontendLogSinks: [LogSink]
    /// Each backend's targets for server UP/DOWN lines; nil when it has none.
    let backendLogSinks: [LogSink?]
    let limits: ConnectionLimits
    /// `maxconn` counts for the whole process.
    let admission: SessionAdmission
    let probeConnections: ProbeConnections
    /// Makes the statistics page and the metrics (control path: called off the loops).
    let statsHook: StatsHook?
    /// The admin states and weights each loop starts with (the configuration's, with the
    /// operator's overrides carried over from the previous instance).
    let initialControls: [BackendControl]
    /// Each stick table's entries to start with (a reload's carry-over), by table index.
    let initialStickRecords: [[StickRecord]]
    let stickTableIndex: [String: Int]
    /// Where stores into tables with `peers` go (the peer link), called once per batch.
    let stickSink: StickSink?
    private let contextsBox = Mutex<[NIOLoopBound<LoopContext>]>([])
    private let healthBox = Mutex<HealthMonitor?>(nil)

    /// The health checks, once started (used by `observe layer7`).
    var healthObserver: HealthMonitor? {
        get { healthBox.withLock { $0 } }
        set { healthBox.withLock { $0 = newValue } }
    }

    init(plan: ProxyPlan, backends: [BackendState], loops: [any EventLoop], bus: EventBus, logger: Logger, logSink: LogSink,
         limits: ConnectionLimits, probeConnections: ProbeConnections = ProbeConnections(), statsHook: StatsHook? = nil,
         initialControls: [BackendControl]? = nil, initialStickRecords: [[StickRecord]]? = nil, stickSink: StickSink? = nil) {
        self.plan = plan
        self.initialStickRecords = initialStickRecords ?? plan.stickTables.map { _ in [] }
        self.stickTableIndex = Dictionary(plan.stickTables.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.stickSink = stickSink
        self.initialControls = initialControls ?? plan.backends.map { BackendControl(plan: $0) }
        self.probeConnections = probeConnections
        self.statsHook = statsHook
        self.limits = limits
        self.admission = SessionAdmission(globalLimit: limits.globalMaxconn, frontendLimits: plan.frontends.map(\.maxconn))
        self.backends = backends
        self.loops = loops
        self.bus = bus
        self.logger = logger
        self.logSink = logSink
        self.frontendLogSinks = plan.frontends.map { frontend in
            frontend.logTargets.map { LogSink(targets: $0) } ?? logSink
        }
        self.backendLogSinks = plan.backends.map { $0.logTargets.isEmpty ? nil : LogSink(targets: $0.logTargets) }
    }

    /// Creates one `LoopContext` on each loop.
    func makeContexts() async throws {
        var made: [NIOLoopBound<LoopContext>] = []
        for (index, loop) in loops.enumerated() {
            let context = try await loop.submit { [self] in
                NIOLoopBound(LoopContext(index: index, eventLoop: loop, runtime: self), eventLoop: loop)
            }.get()
            made.append(context)
        }
        contextsBox.withLock { $0 = made }
    }

    var contexts: [NIOLoopBound<LoopContext>] { contextsBox.withLock { $0 } }

    /// Asks every loop to hand queued requests of `backend` to servers that have a free slot again.
    func wakeQueues(backend: Int) {
        for context in contexts {
            context.eventLoop.execute { context.value.drainQueue(backend: backend) }
        }
    }

    /// Has every loop but `index` re-read the `maxconn` counts (see `SessionAdmission`).
    func updateAccepting(except index: Int) {
        for (other, context) in contexts.enumerated() where other != index {
            context.eventLoop.execute { context.value.updateAccepting() }
        }
    }

    /// Adds every loop's counters.
    func collectCounters() async -> LoopCounters {
        var total = LoopCounters(plan: plan)
        for context in contexts {
            if let counters = try? await context.eventLoop.submit({ context.value.counters }).get() {
                total.add(counters)
            }
        }
        return total
    }

    /// Hands an operator change of `backend` to every loop and waits until each has it.
    func applyControl(_ control: BackendControl, backend: Int) async {
        for context in contexts {
            try? await context.eventLoop.submit { context.value.apply(control, backend: backend) }.get()
        }
    }

    /// Soft stop on every loop (see `LoopContext.softStop`).
    func softStop() async {
        for context in contexts {
            try? await context.eventLoop.submit { context.value.softStop() }.get()
        }
    }

    /// Closes idle pooled connections and stops the per-loop timers.
    func shutdownContexts() async {
        for context in contexts {
            try? await context.eventLoop.submit { context.value.shutdown() }.get()
        }
    }
}
