import HACore
import Netlink

/// A reload compares each instance's running plan with its new one and decides what the node
/// can do live. Pure: the engine applies the verdicts (`VRRPEngine.apply`).
struct InstanceReloadChange: Sendable, Hashable {
    enum Verdict: Sendable, Hashable {
        /// Nothing that runs differs (line numbers aside): the node is not touched.
        case unchanged
        /// A new instance: it starts.
        case added
        /// Gone from the file: it resigns (priority 0) and stops.
        case removed
        /// Applied on the running node, without a transition.
        case live([LiveChange])
        /// Cannot change on a running router: this instance alone stops and starts again.
        case restart(reason: String)
    }

    /// One thing a running node changes in place.
    enum LiveChange: Sendable, Hashable {
        /// The configured priority; the effective one follows and a MASTER advertises it at once.
        case basePriority(from: UInt8, to: UInt8)
        /// track_script / track_interface / track_file / track_proxy: the trackers restart, the
        /// verdicts of unchanged trackers carry over.
        case trackers
        /// VIPs added to or removed from the list; a MASTER adds or removes just these.
        case virtualAddresses(added: [IPAddress], removed: [IPAddress])
        /// notify scripts, garp_master_* timing, warnings: read at their next use.
        case settings
    }

    var name: String
    var verdict: Verdict

    /// What the report says: "unchanged", "priority 100 → 120, VIPs +198.18.1.20" ...
    var summary: String {
        switch verdict {
        case .unchanged: return "unchanged"
        case .added: return "started"
        case .removed: return "resigned and stopped"
        case .restart(let reason): return "restarted: \(reason)"
        case .live(let changes):
            return changes.map { change in
                switch change {
                case .basePriority(let from, let to): return "priority \(from) → \(to)"
                case .trackers: return "trackers restarted"
                case .virtualAddresses(let added, let removed):
                    return "VIPs" + added.map { " +\($0)" }.joined() + removed.map { " -\($0)" }.joined()
                case .settings: return "notify / garp settings"
                }
            }.joined(separator: ", ") + " (applied live)"
        }
    }

    /// Every instance of `old` and `new`, matched by name, in `new`'s order then the removed ones.
    static func changes(from old: [InstancePlan], to new: [InstancePlan]) -> [InstanceReloadChange] {
        let oldByName = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [InstanceReloadChange] = new.map { plan in
            guard let previous = oldByName[plan.name] else { return .init(name: plan.name, verdict: .added) }
            return .init(name: plan.name, verdict: verdict(from: previous, to: plan))
        }
        let newNames = Set(new.map(\.name))
        result += old.filter { !newNames.contains($0.name) }.map { .init(name: $0.name, verdict: .removed) }
        return result
    }

    static func verdict(from old: InstancePlan, to new: InstancePlan) -> Verdict {
        let old = old.withoutLocations(), new = new.withoutLocations()
        if old == new { return .unchanged }
        if let reason = restartReason(from: old, to: new) { return .restart(reason: reason) }
        var changes: [LiveChange] = []
        if old.priority != new.priority { changes.append(.basePriority(from: old.priority, to: new.priority)) }
        if old.trackers != new.trackers { changes.append(.trackers) }
        if old.virtualAddresses != new.virtualAddresses || old.advertisedAddresses != new.advertisedAddresses {
            let before = Set(old.virtualAddresses), after = Set(new.virtualAddresses)
            changes.append(
                .virtualAddresses(
                    added: new.virtualAddresses.filter { !before.contains($0) }.map(\.address),
                    removed: old.virtualAddresses.filter { !after.contains($0) }.map(\.address)))
        }
        var rest = new
        rest.priority = old.priority
        rest.virtualAddresses = old.virtualAddresses
        rest.advertisedAddresses = old.advertisedAddresses
        (rest.scripts, rest.interfaces, rest.files, rest.trackProxy, rest.trackPrimaryInterface) =
            (old.scripts, old.interfaces, old.files, old.trackProxy, old.trackPrimaryInterface)
        if rest != old { changes.append(.settings) }
        return .live(changes)
    }

    /// What a running router cannot change: its identity on the wire (interface, family, VRID,
    /// version, addresses it sends from and to, authentication, checksum), its timers and
    /// preemption (the state machine's parameters), owner status, and its sync group.
    static func restartReason(from old: InstancePlan, to new: InstancePlan) -> String? {
        var reasons: [String] = []
        if old.interface != new.interface { reasons.append("interface \(old.interface) → \(new.interface)") }
        if old.ipv4 != new.ipv4 { reasons.append("address family") }
        if old.virtualRouterID != new.virtualRouterID {
            reasons.append("virtual_router_id \(old.virtualRouterID) → \(new.virtualRouterID)")
        }
        if old.version != new.version { reasons.append("vrrp_version") }
        if old.advertisementInterval != new.advertisementInterval { reasons.append("advert_int") }
        if old.preempt != new.preempt || old.preemptDelay != new.preemptDelay { reasons.append("nopreempt / preempt_delay") }
        if old.authentication != new.authentication { reasons.append("authentication") }
        if old.checksumStyle != new.checksumStyle { reasons.append("vrrpv3_checksum_as_v2") }
        if old.sourceAddress != new.sourceAddress { reasons.append("source address") }
        if old.unicastPeers != new.unicastPeers || old.multicastGroup != new.multicastGroup {
            reasons.append("unicast_peer / multicast group")
        }
        if (old.priority == 255) != (new.priority == 255) { reasons.append("address owner (priority 255)") }
        if old.startAsMaster != new.startAsMaster { reasons.append("initial state") }
        if old.syncGroup != new.syncGroup { reasons.append("vrrp_sync_group membership") }
        if old.witness != new.witness { reasons.append("vrrp_witness") }
        return reasons.isEmpty ? nil : reasons.joined(separator: ", ") + " cannot change on a running router"
    }
}

extension InstancePlan {
    /// The tracked objects, as compared by a reload.
    struct Trackers: Hashable {
        var scripts: [Script]
        var interfaces: [TrackedInterface]
        var files: [TrackedFile]
        var trackProxy: Bool
        var trackPrimaryInterface: Bool
    }

    var trackers: Trackers {
        Trackers(
            scripts: scripts, interfaces: interfaces, files: files, trackProxy: trackProxy,
            trackPrimaryInterface: trackPrimaryInterface)
    }

    /// The plan with every `SourceLocation` and the start-up warnings erased: two of these
    /// differ only if something that runs differs.
    func withoutLocations() -> InstancePlan {
        var copy = self
        copy.location = .builtIn
        copy.warnings = []
        copy.scripts = scripts.map { var s = $0; s.config.location = .builtIn; return s }
        copy.files = files.map { var f = $0; f.config.location = .builtIn; return f }
        return copy
    }
}
