public import NIOCore
import Synchronization

/// The operator's control plane on the running proxy (HAProxy's runtime API: `set server
/// B/S state`, `set weight`, `disable`/`enable frontend`), and the loop heartbeat the systemd
/// watchdog uses. Every change is a control event: computed here, then submitted to each event
/// loop, which applies it to its own state; a request never takes a lock or hops for it.
extension ProxyService {
    /// `set server B/S state ready|drain|maint`.
    ///
    /// - `ready`: the balancer may pick the server again (and, leaving `maint`, its checks resume
    ///   with one right away).
    /// - `drain`: no new session from the balancer; requests whose persistence cookie designates
    ///   the server still go there, established connections finish. Checks go on.
    /// - `maint`: no traffic; persisted clients are redispatched to another server; checks stop.
    ///
    /// Returns once every loop applies the new state. Kept across reloads and restarts (see
    /// `operatorOverrides()`).
    public func setServerAdmin(backend: String, server: String, _ admin: ServerAdminState) async throws(ProxyControlError) {
        let (b, s) = try resolveServer(backend: backend, server: server)
        let key = ProxyOverrides.ServerKey(backend: backend, server: server)
        let (runtime, health, update) = state.withLock { state -> (ProxyRuntime?, HealthMonitor?, BackendControl?) in
            state.overrides.serverAdmin[key] = admin
            guard let runtime = state.runtime, state.controls[b].admin[s] != admin else { return (state.runtime, nil, nil) }
            var newAdmin = state.controls[b].admin
            newAdmin[s] = admin
            state.controls[b] = state.controls[b].withAdmin(newAdmin)
            runtime.backends[b].servers[s].lastChange.store(Int64(NIODeadline.now().uptimeNanoseconds), ordering: .relaxed)
            return (runtime, state.health, state.controls[b])
        }
        guard let runtime, let update else { return }
        logger.notice("server admin state set", metadata: ["backend": "\(backend)", "server": "\(server)", "state": "\(admin)"])
        await runtime.applyControl(update, backend: b)
        await health?.setMaintenance(backend: b, server: s, admin == .maint)
    }

    /// `set weight B/S N`: the balancer uses weight N (0...256) from now on, on every loop,
    /// rebuilding its round-robin schedule and consistent-hash ring. Weight 0 takes the server
    /// out of balancing (shown DRAIN) while persisted clients still reach it.
    public func setServerWeight(backend: String, server: String, weight: Int) async throws(ProxyControlError) {
        let (b, s) = try resolveServer(backend: backend, server: server)
        guard (0...256).contains(weight) else {
            throw .weightOutOfRange(backend: backend, server: server, weight: weight)
        }
        let key = ProxyOverrides.ServerKey(backend: backend, server: server)
        let (runtime, update) = state.withLock { state -> (ProxyRuntime?, BackendControl?) in
            state.overrides.serverWeights[key] = weight
            guard let runtime = state.runtime, state.controls[b].weights[s] != weight else { return (state.runtime, nil) }
            var newWeights = state.controls[b].weights
            newWeights[s] = weight
            state.controls[b] = state.controls[b].withWeights(newWeights, plan: runtime.plan.backends[b])
            return (runtime, state.controls[b])
        }
        guard let runtime, let update else { return }
        logger.notice("server weight set", metadata: ["backend": "\(backend)", "server": "\(server)", "weight": "\(weight)"])
        await runtime.applyControl(update, backend: b)
    }

    /// `disable frontend F` / `enable frontend F`. Disabling closes the frontend's listeners
    /// (new connections are refused) while its established sessions finish, and makes
    /// `isAcceptingConnections()` false; enabling binds the same addresses and ports again.
    public func setFrontendEnabled(_ name: String, enabled: Bool) async throws(ProxyControlError) {
        let f = try resolveFrontend(name)
        enum Step { case nothing, close([any Channel], ProxyRuntime), bind(ports: [Int], ProxyRuntime) }
        let step = state.withLock { state -> Step in
            let wasEnabled = !state.overrides.disabledFrontends.contains(name)
            guard wasEnabled != enabled else { return .nothing }
            if enabled { state.overrides.disabledFrontends.remove(name) } else { state.overrides.disabledFrontends.insert(name) }
            guard let runtime = state.runtime, state.listening else { return .nothing }
            if enabled { return .bind(ports: state.boundPorts[f], runtime) }
            let open = state.listeners[f]
            state.listeners[f] = []
            return .close(open, runtime)
        }
        switch step {
        case .nothing:
            return
        case .close(let channels, let runtime):
            logger.notice("frontend disabled: listeners closed, sessions finish", metadata: ["frontend": "\(name)"])
            await closeListeners(channels, frontend: f, runtime: runtime)
        case .bind(let ports, let runtime):
            do {
                let channels = try await Listener.bindFrontend(runtime: runtime, frontend: f, ports: ports)
                state.withLock { $0.listeners[f] = channels }
                logger.notice("frontend enabled", metadata: ["frontend": "\(name)"])
            } catch {
                state.withLock { _ = $0.overrides.disabledFrontends.insert(name) }
                throw .bindFailed(frontend: name, reason: "\(error)")
            }
        }
    }

    /// The operator's changes so far, by name: hand them to the next instance (reload,
    /// restart) as its `overrides`.
    public func operatorOverrides() -> ProxyOverrides {
        state.withLock { $0.overrides }
    }

    /// Whether `maxconn` (the global one or a frontend's) is reached now: the listeners are
    /// paused, so a new connection, the liveness probe's too, waits in the kernel's accept queue
    /// until a client leaves, as it does with HAProxy.
    public func isAtConnectionLimit() -> Bool {
        state.withLock { $0.runtime }?.admission.isAtLimit ?? false
    }

    /// The systemd watchdog's heartbeat: true only if every proxy event loop runs a trivial
    /// task within `deadline`. A wedged loop makes it false once the deadline passes; the
    /// caller never waits longer. False when the proxy is not serving.
    public func loopsResponsive(within deadline: TimeAmount) async -> Bool {
        guard let runtime = state.withLock({ $0.listening ? $0.runtime : nil }) else { return false }
        return await Self.loopsResponsive(runtime.loops, within: deadline)
    }

    static func loopsResponsive(_ loops: [any EventLoop], within deadline: TimeAmount) async -> Bool {
        guard !loops.isEmpty else { return false }
        let verdict = Verdict()
        let remaining = Atomic<Int>(loops.count)
        return await withCheckedContinuation { continuation in
            verdict.wait(continuation)
            // The timer runs on no proxy loop: one of those may be the wedged one.
            // Cancelled means the loops answered first: it must not answer as well.
            let timer = Task {
                guard (try? await Task.sleep(for: .nanoseconds(deadline.nanoseconds))) != nil else { return }
                verdict.decide(false)
            }
            for loop in loops {
                loop.execute {
                    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                        verdict.decide(true)
                        timer.cancel()
                    }
                }
            }
        }
    }

    /// Resumes a waiter once, with whichever answer comes first.
    private final class Verdict: Sendable {
        private let waiter = Mutex<CheckedContinuation<Bool, Never>?>(nil)

        func wait(_ continuation: CheckedContinuation<Bool, Never>) {
            waiter.withLock { $0 = continuation }
        }

        func decide(_ answer: Bool) {
            waiter.withLock { $0.take() }?.resume(returning: answer)
        }
    }

    /// The loops serving now (tests wedge one to exercise `loopsResponsive`).
    func eventLoops() -> [any EventLoop] {
        state.withLock { $0.runtime?.loops ?? [] }
    }

    /// Closes `channels` after taking them out of the loops' `maxconn` bookkeeping.
    func closeListeners(_ channels: [any Channel], frontend: Int, runtime: ProxyRuntime) async {
        for context in runtime.contexts {
            try? await context.eventLoop.submit { context.value.unregisterListeners(frontend: frontend) }.get()
        }
        for channel in channels { try? await channel.close() }
    }

    private func knownPlan() -> ProxyPlan? {
        try? planResult.get()
    }

    private func resolveServer(backend: String, server: String) throws(ProxyControlError) -> (Int, Int) {
        let backends = knownPlan()?.backends ?? []
        guard let b = backends.firstIndex(where: { $0.name == backend }) else {
            throw .unknownBackend(backend, known: backends.map(\.name))
        }
        let servers = backends[b].servers
        guard let s = servers.firstIndex(where: { $0.name == server }) else {
            throw .unknownServer(backend: backend, server: server, known: servers.map(\.name))
        }
        return (b, s)
    }

    private func resolveFrontend(_ name: String) throws(ProxyControlError) -> Int {
        let frontends = knownPlan()?.frontends ?? []
        guard let f = frontends.firstIndex(where: { $0.name == name }) else {
            throw .unknownFrontend(name, known: frontends.map(\.name))
        }
        return f
    }

    /// `overrides` without the names `plan` does not have (a reload removed them).
    static func keepingKnownNames(_ overrides: ProxyOverrides, of plan: ProxyPlan) -> ProxyOverrides {
        let servers = Set(plan.backends.flatMap { backend in
            backend.servers.map { ProxyOverrides.ServerKey(backend: backend.name, server: $0.name) }
        })
        let frontends = Set(plan.frontends.map(\.name))
        return ProxyOverrides(serverAdmin: overrides.serverAdmin.filter { servers.contains($0.key) },
                              serverWeights: overrides.serverWeights.filter { servers.contains($0.key) },
                              disabledFrontends: overrides.disabledFrontends.intersection(frontends))
    }

    /// Each backend's starting admin states and weights: the plan's, with `overrides` applied.
    static func initialControls(plan: ProxyPlan, overrides: ProxyOverrides) -> [BackendControl] {
        plan.backends.map { backend in
            let keys = backend.servers.map { ProxyOverrides.ServerKey(backend: backend.name, server: $0.name) }
            return BackendControl(generation: 0, admin: keys.map { overrides.serverAdmin[$0] ?? .ready },
                                  weights: zip(keys, backend.servers).map { overrides.serverWeights[$0] ?? $1.weight },
                                  plan: backend)
        }
    }
}
