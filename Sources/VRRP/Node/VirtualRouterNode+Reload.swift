import NIOCore
import Netlink

/// A reload applied to a running node (`InstanceReloadChange.LiveChange`): no transition, no
/// advert gap, VIPs that stay are never touched.
extension VirtualRouterNode {
    func reconfigure(to newPlan: InstancePlan, virtualAddresses newAddresses: [InterfaceAddress], changes: [InstanceReloadChange.LiveChange]) {
        eventLoop.preconditionInEventLoop()
        guard !stopped else { return }
        plan = newPlan
        var trackersChanged = false
        for change in changes {
            switch change {
            case .basePriority:
                rebaseTracking(keeping: { _ in true })
            case .trackers:
                trackersChanged = true
            case .virtualAddresses:
                replaceVirtualAddresses(with: newAddresses)
            case .settings:
                // notify and garp_* counts are read from `plan` at their next use; the state
                // machine holds higher_prio_send_advert and garp_master_refresh.
                run(machine.updateAnnouncementSettings(
                    yieldsWithAdvert: newPlan.higherPrioSendAdvert, announcementRefresh: newPlan.garpMasterRefresh,
                    now: .now()))
            }
        }
        if trackersChanged {
            trackerTasks.forEach { $0.cancel() }
            trackerTasks = []
            let kept = trackerNames(of: newPlan)
            rebaseTracking { name in kept.contains(name) || name.hasPrefix("sync_group") || name.hasPrefix("vrrp_witness") }
            startTrackers()  // applies the result: a MASTER advertises a new priority at once
        } else {
            applyTracking(reason: nil)
        }
        logger.notice("instance reconfigured", metadata: ["priority": "\(machine.priority)", "state": "\(machine.state)"])
    }

    /// `tracking` on the plan's base priority, with the verdicts of the trackers `keep` names.
    private func rebaseTracking(keeping keep: (String) -> Bool) {
        var rebased = TrackedPriority(basePriority: plan.priority)
        for (name, contribution) in tracking.contributions.sorted(by: { $0.key < $1.key }) where keep(name) {
            rebased.set(name, contribution)
        }
        tracking = rebased
    }

    private func trackerNames(of plan: InstancePlan) -> Set<String> {
        var names = Set<String>()
        if plan.trackPrimaryInterface { names.insert("interface \(interface.name)") }
        if plan.trackProxy { names.insert("track_proxy") }
        for tracked in plan.interfaces { names.insert("track_interface \(tracked.name)") }
        for file in plan.files { names.insert("track_file \(file.config.name)") }
        for script in plan.scripts { names.insert("track_script \(script.config.name)") }
        return names
    }

    /// While we hold the VIPs, adds only the new ones (with gratuitous ARP / NA) and removes only
    /// the dropped ones; the others stay in place.
    private func replaceVirtualAddresses(with newAddresses: [InterfaceAddress]) {
        let added = newAddresses.filter { !virtualAddresses.contains($0) }
        let removed = virtualAddresses.filter { !newAddresses.contains($0) }
        virtualAddresses = newAddresses
        guard holdsVirtualAddresses else { return }
        removeVirtualAddresses(removed)
        addVirtualAddresses(added)
        announce(added, times: plan.garpMasterRepeat)
        logger.notice(
            "virtual addresses changed",
            metadata: ["added": "\(added.map { "\($0.address)" })", "removed": "\(removed.map { "\($0.address)" })"])
    }
}
