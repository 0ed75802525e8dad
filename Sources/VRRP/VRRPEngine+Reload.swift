public import HAConfig
import NIOCore
import Netlink

/// SIGHUP for the VRRP side (ARCHITECTURE.md rule 5): the new instances are compared with the
/// running ones, and only what differs is touched (`InstanceReloadChange`).
extension VRRPEngine {
    /// What a reload did to one instance.
    public struct InstanceReload: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            /// Not touched: no transition, no VIP removed, no advert missed.
            case unchanged
            /// Applied to the running instance without a transition.
            case appliedLive = "applied live"
            case started
            /// Resigned (priority 0 if MASTER) and stopped.
            case stopped
            /// Could not change on a running router: this instance alone stopped and started again.
            case restarted
            /// Not applied: the previous settings still run; `detail` says why.
            case failed
        }

        public var instance: String
        public var kind: Kind
        public var detail: String

        public var description: String { "vrrp_instance \(instance): \(detail)" }
    }

    /// Applies `configuration`'s instances to the running engine (or, before it runs, replaces
    /// what it will start). Throws, changing nothing, when an instance cannot be planned.
    ///
    /// - Parameter settings: each instance's resolved priority and state, as at `init`.
    /// - Returns: one entry per instance of the old and the new file.
    public func apply(
        _ configuration: Configuration, settings: (VRRPInstanceConfig) -> InstanceSettings
    ) async throws(VRRPConfigurationErrors) -> [InstanceReload] {
        let newPlans = try Self.plans(for: configuration, settings: settings)
        let oldPlans = plans.withLock { $0 }
        let changes = InstanceReloadChange.changes(from: oldPlans, to: newPlans)
        guard var runtime = runtime.withLock({ $0 }) else {
            plans.withLock { $0 = newPlans }
            return changes.map { InstanceReload(instance: $0.name, kind: $0.verdict == .unchanged ? .unchanged : .appliedLive, detail: "\($0.summary) (before start)") }
        }
        let newByName = Dictionary(newPlans.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var results: [InstanceReload] = []
        var running = plans.withLock { $0 }
        for change in changes {
            let name = change.name
            let node = currentNodes.first { $0.plan.name == name }
            func record(_ kind: InstanceReload.Kind, _ detail: String) {
                results.append(InstanceReload(instance: name, kind: kind, detail: detail))
                logger.notice("reload", metadata: ["instance": "\(name)", "result": "\(kind.rawValue)", "detail": "\(detail)"])
            }
            switch change.verdict {
            case .unchanged:
                record(.unchanged, change.summary)
            case .live(let liveChanges):
                guard let node, let plan = newByName[name] else { continue }
                do throws(VRRPConfigurationError) {
                    let addresses = try Self.virtualAddresses(of: plan)
                    try? await node.eventLoop.submit { node.reconfigure(to: plan, virtualAddresses: addresses, changes: liveChanges) }.get()
                    running.replace(name: name, with: plan)
                    record(.appliedLive, change.summary)
                } catch {
                    record(.failed, "\(error.message); the previous settings still run")
                }
            case .removed:
                if let node { await stop(node) }
                running.removeAll { $0.name == name }
                record(.stopped, change.summary)
            case .added, .restart:
                guard let plan = newByName[name] else { continue }
                if let node { await stop(node) }
                running.removeAll { $0.name == name }
                do {
                    try await start(plan, among: newPlans, runtime: &runtime)
                    running.insert(plan, at: min(running.count, newPlans.firstIndex { $0.name == name } ?? running.count))
                    record(change.verdict == .added ? .started : .restarted, change.summary)
                } catch {
                    record(.failed, "cannot start: \(error)")
                }
            }
        }
        self.runtime.withLock { if $0 != nil { $0 = runtime } }
        plans.withLock { $0 = running }
        await refreshNeighbours()
        return results
    }

    private func stop(_ node: VirtualRouterNode) async {
        try? await node.eventLoop.submit { node.stop() }.get()
        nodes.withLock { $0.removeAll { $0 === node } }
    }

    private func start(_ plan: InstancePlan, among plans: [InstancePlan], runtime: inout Runtime) async throws {
        let existing = try runtime.environment.addresses.addresses()
        let allVIPs = Set(plans.flatMap { $0.virtualAddresses.map(\.address) })
        let ownAddresses = Set(existing.map(\.address)).subtracting(allVIPs)
        let node = try buildNode(plan, among: plans, existing: existing, ownAddresses: ownAddresses, runtime: &runtime)
        nodes.withLock { $0.append(node) }
        let (proxyIsUp, proxyReason) = proxyUp.withLock { $0 }
        do {
            try await node.eventLoop.submit {
                if !proxyIsUp { node.proxyHealthChanged(up: false, reason: proxyReason) }
                try node.start()
            }.get()
        } catch {
            try? await node.eventLoop.submit { node.stop() }.get()
            nodes.withLock { $0.removeAll { $0 === node } }
            throw error
        }
    }

    /// Instances on one interface ignore each other's VRIDs; the set changes with the instances.
    private func refreshNeighbours() async {
        let all = currentNodes
        for node in all {
            let siblings = Self.siblingVRIDs(of: node, among: all)
            try? await node.eventLoop.submit { node.siblingVRIDs = siblings }.get()
        }
    }
}

extension Array where Element == InstancePlan {
    fileprivate mutating func replace(name: String, with plan: InstancePlan) {
        if let index = firstIndex(where: { $0.name == name }) { self[index] = plan }
    }
}
