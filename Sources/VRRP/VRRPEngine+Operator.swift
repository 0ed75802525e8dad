public import NIOCore
import Synchronization

/// The operator's hand on the engine (`hactl failover` through the control socket) and the
/// watchdog's look at it.
extension VRRPEngine {
    /// `hactl failover [INSTANCE] [--force]`.
    ///
    /// On a MASTER: resigns (priority-0 advert, VIPs removed) and stays BACKUP advertising
    /// priority 1 — any live peer is preferred — until `clearFailover` or a restart. Refused
    /// when no other router advertised within Master_Down_Interval, unless `force`.
    /// On a BACKUP with `force`: becomes MASTER at once advertising the master's priority + 1
    /// (at most 254), even under `nopreempt`; the old master yields (RFC 9568 §6.4.3). Without
    /// `force` the outcome says what `--force` would do.
    ///
    /// - Parameter instance: one `vrrp_instance`, or nil for every instance. The other members
    ///   of a `vrrp_sync_group` follow a member's move as always, but are not held.
    /// - Returns: one outcome per instance, in configuration order. Each says the local state
    ///   right after; use `awaitState` to see the peer's side take effect.
    public func failover(instance: String?, force: Bool) async -> [FailoverOutcome] {
        await forEachNode(named: instance) { $0.failover(force: force) }
    }

    /// `hactl failover --clear [INSTANCE]`: back to the configured (tracked) priority. A forced
    /// MASTER advertises it at once (a higher-priority peer then takes the VIPs back); a held
    /// BACKUP preempts again by the usual rules.
    public func clearFailover(instance: String?) async -> [FailoverOutcome] {
        await forEachNode(named: instance) { $0.clearFailover() }
    }

    /// Waits until `instance`'s status satisfies `matching`, or `timeout` passes; returns the
    /// status that matched, or nil (also for an unknown instance). Polls every 20 ms.
    public func awaitState(
        instance: String, matching: @Sendable (VRRPInstanceStatus) -> Bool, timeout: Duration
    ) async -> VRRPInstanceStatus? {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let node = currentNodes.first(where: { $0.plan.name == instance }) else { return nil }
            if let status = try? await node.eventLoop.submit({ node.status() }).get(), matching(status) { return status }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// For the systemd watchdog: true only if every instance's event loop runs a trivial task
    /// within `within`. A loop stuck in a script, a lock or a busy loop makes it false.
    public func loopsResponsive(within: TimeAmount) async -> Bool {
        await Self.loopsRespond(currentNodes.map(\.eventLoop), within: within)
    }

    /// Whether every loop runs a trivial task within `within` (all probed at once).
    static func loopsRespond(_ loops: [any EventLoop], within: TimeAmount) async -> Bool {
        guard !loops.isEmpty else { return true }
        let verdict = Verdict()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            verdict.install(continuation, pending: loops.count)
            let timer = Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0, within.nanoseconds)))
                verdict.decide(false)
            }
            for loop in loops {
                loop.execute { if verdict.oneResponded() { timer.cancel() } }
            }
        }
    }

    /// Resumes the continuation once: true when every loop answered, false at the deadline.
    private final class Verdict: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Bool, Never>?
            var pending = 0
        }
        private let state = Mutex(State())

        func install(_ continuation: CheckedContinuation<Bool, Never>, pending: Int) {
            state.withLock { $0 = State(continuation: continuation, pending: pending) }
        }

        /// Returns true when this was the last loop to answer in time.
        func oneResponded() -> Bool {
            let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                state.pending -= 1
                guard state.pending == 0 else { return nil }
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: true)
            return continuation != nil
        }

        func decide(_ value: Bool) {
            state.withLock { state in
                defer { state.continuation = nil }
                return state.continuation
            }?.resume(returning: value)
        }
    }

    /// Runs `body` on each selected node's loop, in configuration order.
    private func forEachNode(
        named instance: String?, _ body: @escaping @Sendable (VirtualRouterNode) -> FailoverOutcome
    ) async -> [FailoverOutcome] {
        let all = currentNodes
        var selected = all
        if let instance {
            guard let named = all.first(where: { $0.plan.name == instance }) else {
                let known = all.map(\.plan.name).joined(separator: ", ")
                return [
                    FailoverOutcome(
                        instance: instance, result: .unknownInstance, previousState: "", newState: "", priority: 0,
                        message: "no running vrrp_instance is named \(instance) (running: \(known.isEmpty ? "none" : known))")
                ]
            }
            selected = [named]
        }
        var outcomes: [FailoverOutcome] = []
        for node in selected {
            if let outcome = try? await node.eventLoop.submit({ body(node) }).get() { outcomes.append(outcome) }
        }
        return outcomes
    }
}
