import HACore
import HAConfig
import Logging
import NIOCore
import Proxy
import ServiceLifecycle
import Synchronization

/// Runs the current `ProxyService` and replaces it on reload without a gap, the way HAProxy's
/// seamless reload does: the new instance binds beside the old one (every listener is
/// SO_REUSEPORT), and only once it accepts does the old one stop accepting and drain its
/// established connections (bounded by the proxy's drain timeout). A configuration that
/// cannot start (a bind fails) is reported and the old instance keeps serving.
///
/// One `ProxyHost` is one supervised run: when its current instance stops on its own, `run()`
/// ends with that instance's outcome and the `Supervisor` decides what follows.
final class ProxyHost: Service, Sendable {
    /// How long a replacement may take to accept before the reload is reported as failed.
    static let replacementTimeout: Duration = .seconds(10)

    private let bus: EventBus
    private let probeConnections: ProbeConnections
    /// Answers the statistics page and the metrics for every instance this host starts.
    private let statsHook: StatsHookSlot
    /// Where every instance's stick-table stores go (the peer link, once attached).
    private let stickSlot: StickSinkSlot
    private let logger: Logger
    /// `carried`: the operator's overrides for the next instance when none serves.
    private let live: Mutex<(configuration: Configuration, service: ProxyService?, carried: ProxyOverrides)>
    /// Stick entries the peer sent before the first proxy instance existed (`mergeStickRecords`).
    private let earlyStickRecords = Mutex<[StickRecord]>([])
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation

    private enum Event: Sendable {
        case ended(id: Int, failure: String?)
        case replace(Configuration, reply: @Sendable (String?) -> Void)
        case accepting(id: Int)
        case timedOut(id: Int)
    }

    private struct Pending {
        var configuration: Configuration
        var service: ProxyService
        var reply: @Sendable (String?) -> Void
        var watcher: Task<Void, Never>
    }

    struct Stopped: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameter overrides: the operator's changes a previous host's instances had (restart).
    init(configuration: Configuration, bus: EventBus, logger: Logger, probeConnections: ProbeConnections,
         overrides: ProxyOverrides = ProxyOverrides(), statsHook: StatsHookSlot = StatsHookSlot(),
         stickSlot: StickSinkSlot = StickSinkSlot()) {
        self.statsHook = statsHook
        self.stickSlot = stickSlot
        self.probeConnections = probeConnections
        self.bus = bus
        self.logger = logger
        self.live = Mutex((configuration, nil, overrides))
        (events, sink) = AsyncStream.makeStream()
    }

    /// The configuration the serving instance runs (the latest one applied).
    var configuration: Configuration { live.withLock { $0.configuration } }

    /// Whether the serving instance accepts connections on every bind.
    func isAcceptingConnections() -> Bool {
        live.withLock { $0.service }?.isAcceptingConnections() ?? false
    }

    /// The operator's run-time changes (admin states, weights, disabled frontends), which every
    /// instance this host starts inherits from the serving one.
    func operatorOverrides() -> ProxyOverrides {
        live.withLock { $0.service?.operatorOverrides() ?? $0.carried }
    }

    /// `set server B/S state`, on the serving instance (see `ProxyService.setServerAdmin`).
    func setServerAdmin(backend: String, server: String, _ state: ServerAdminState) async throws(ProxyControlError) {
        try await serving().setServerAdmin(backend: backend, server: server, state)
    }

    /// `set weight B/S N`, on the serving instance.
    func setServerWeight(backend: String, server: String, weight: Int) async throws(ProxyControlError) {
        try await serving().setServerWeight(backend: backend, server: server, weight: weight)
    }

    /// `disable`/`enable frontend F`, on the serving instance.
    func setFrontendEnabled(_ name: String, enabled: Bool) async throws(ProxyControlError) {
        try await serving().setFrontendEnabled(name, enabled: enabled)
    }

    /// The serving instance's statistics (empty when none serves).
    func snapshot() async -> ProxyStatistics {
        await live.withLock { $0.service }?.snapshot() ?? ProxyStatistics()
    }

    /// The serving instance's stick tables (empty when none serves).
    func stickTables() async -> [StickTableSnapshot] {
        await live.withLock { $0.service }?.stickTables() ?? []
    }

    /// Entries from the peer, into the serving instance; before the first instance exists (the
    /// peer link can come up first), kept for it.
    func mergeStickRecords(_ records: [StickRecord]) async {
        let service = live.withLock { live in
            if live.service == nil { earlyStickRecords.withLock { $0.append(contentsOf: records) } }
            return live.service
        }
        await service?.mergeStickRecords(records)
    }

    /// `clear table NAME [key K]`, on the serving instance.
    func clearStickTable(_ name: String, key: String?) async throws(ProxyControlError) -> Int {
        try await serving().clearStickTable(name, key: key)
    }

    /// The watchdog heartbeat of the serving instance (false when none serves).
    func isAtConnectionLimit() -> Bool {
        live.withLock { $0.service }?.isAtConnectionLimit() ?? false
    }

    func loopsResponsive(within deadline: TimeAmount) async -> Bool {
        await live.withLock { $0.service }?.loopsResponsive(within: deadline) ?? false
    }

    private func serving() throws(ProxyControlError) -> ProxyService {
        guard let service = live.withLock({ $0.service }) else { throw .notRunning }
        return service
    }

    /// Starts an instance with `configuration` beside the serving one and switches to it once it
    /// accepts. Returns nil when switched, or why the old instance keeps serving.
    func replace(with configuration: Configuration) async -> String? {
        await withCheckedContinuation { continuation in
            let result = sink.yield(.replace(configuration, reply: { continuation.resume(returning: $0) }))
            if case .terminated = result { continuation.resume(returning: "the proxy is not running") }
        }
    }

    func run() async throws {
        var nextID = 0
        var tasks: [Int: Task<Void, Never>] = [:]
        var pending: [Int: Pending] = [:]
        func start(_ configuration: Configuration) -> (Int, ProxyService) {
            nextID += 1
            let id = nextID
            let service = ProxyService(configuration: configuration, bus: bus, logger: logger, probeConnections: probeConnections,
                                       overrides: operatorOverrides())
            let slot = statsHook
            service.installStatsHook { request in await slot.answer(request) }
            let stickSlot = self.stickSlot
            service.installStickSink { records in stickSlot.send(records) }
            // A reload: the new instance starts from the serving one's stick tables.
            if let serving = live.withLock({ $0.service }) { service.inheritStickTables(from: serving) }
            let sink = self.sink
            // Unstructured, so one instance can be cancelled alone; it still inherits the group's
            // graceful shutdown, a task-local.
            tasks[id] = Task {
                do {
                    try await service.run()
                    sink.yield(.ended(id: id, failure: nil))
                } catch {
                    sink.yield(.ended(id: id, failure: "\(error)"))
                }
            }
            return (id, service)
        }

        let (firstID, first) = start(configuration)
        let early = live.withLock { live in
            live.service = first
            return earlyStickRecords.withLock { records in
                defer { records = [] }
                return records
            }
        }
        await first.mergeStickRecords(early)
        var currentID = firstID
        var outcome: String?? = nil  // .some(nil): returned, .some(reason): failed
        for await event in events {
            switch event {
            case .ended(let id, let failure):
                tasks[id] = nil
                if let replacement = pending.removeValue(forKey: id) {
                    replacement.watcher.cancel()
                    replacement.reply("the new proxy stopped before it accepted connections: \(failure ?? "returned")")
                } else if id == currentID {
                    outcome = .some(failure)
                }
            case .replace(let configuration, let reply):
                let (id, service) = start(configuration)
                let sink = self.sink
                let watcher = Task {
                    let clock = ContinuousClock()
                    let deadline = clock.now + Self.replacementTimeout
                    // ProxyService offers a flag rather than an event: look every 10 ms, bounded.
                    // Listening, not accepting: a frontend the operator disabled stays closed.
                    while !service.isListening() {
                        guard clock.now < deadline, (try? await Task.sleep(for: .milliseconds(10))) != nil else {
                            sink.yield(.timedOut(id: id))
                            return
                        }
                    }
                    sink.yield(.accepting(id: id))
                }
                pending[id] = Pending(configuration: configuration, service: service, reply: reply, watcher: watcher)
            case .accepting(let id):
                guard let replacement = pending.removeValue(forKey: id) else { break }
                // Stick entries the old instance stored while the new one started (before it stops).
                if let old = live.withLock({ $0.service }) { await replacement.service.adoptStickTables(from: old) }
                tasks[currentID]?.cancel()  // stops accepting, drains what it has
                logger.notice("proxy replaced: the new configuration serves, the old one drains", metadata: [
                    "old": "\(currentID)", "new": "\(id)",
                ])
                currentID = id
                live.withLock {
                    $0.configuration = replacement.configuration
                    $0.service = replacement.service
                }
                replacement.reply(nil)
            case .timedOut(let id):
                guard let replacement = pending.removeValue(forKey: id) else { break }
                tasks[id]?.cancel()
                replacement.reply("the new proxy did not accept connections within \(Self.replacementTimeout)")
            }
            if outcome != nil { break }
        }
        sink.finish()  // later replace() calls answer at once; answer the ones already queued
        for await event in events {
            if case .replace(_, let reply) = event { reply("the proxy is stopping") }
        }
        for replacement in pending.values {
            replacement.watcher.cancel()
            replacement.reply("the proxy is stopping")
        }
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }
        live.withLock {
            $0.carried = $0.service?.operatorOverrides() ?? $0.carried
            $0.service = nil
        }
        if case .some(.some(let failure)) = outcome { throw Stopped(description: failure) }
    }
}
