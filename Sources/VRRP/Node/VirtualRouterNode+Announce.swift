import NIOCore
import Netlink

/// keepalived's gratuitous ARP timing: on becoming MASTER `garp_master_repeat` announcements at
/// once and the same again after `garp_master_delay`; on hearing a lower-priority master
/// `garp_lower_prio_repeat` at once and again after `garp_lower_prio_delay`. The state machine
/// decides when (`garp_master_refresh` included); this file only sends the bursts.
extension VirtualRouterNode {
    func scheduleAnnouncements() {
        cancelAnnouncements()
        burst(times: plan.garpMasterRepeat, secondAfter: plan.garpMasterDelay)
    }

    /// A lower-priority router claimed MASTER (a healed partition): announce again. A second set
    /// still pending from an earlier burst is replaced, so a peer that keeps claiming MASTER
    /// does not pile up timers.
    func reannounce() {
        guard plan.garpLowerPrioRepeat > 0 else { return }
        logger.info("re-announcing virtual addresses: a lower priority router claims MASTER",
            metadata: ["repeat": "\(plan.garpLowerPrioRepeat)"])
        announceTasks.forEach { $0.cancel() }
        announceTasks = []
        burst(times: plan.garpLowerPrioRepeat, secondAfter: plan.garpLowerPrioDelay)
    }

    private func burst(times: Int, secondAfter delay: Duration) {
        announce(times: times)
        guard delay > .zero else { return }
        let task = eventLoop.scheduleTask(in: TimeAmount(delay)) { [weak self] in
            guard let self, self.machine.state == .master else { return }
            self.announce(times: times)
        }
        announceTasks.append(task)
    }

    func cancelAnnouncements() {
        announceTasks.forEach { $0.cancel() }
        announceTasks = []
        refreshTask?.cancel()
        refreshTask = nil
    }

    func announce(times: Int) {
        announce(virtualAddresses, times: times)
    }

    func announce(_ addresses: [InterfaceAddress], times: Int) {
        var byInterface: [UInt32: [IPAddress]] = [:]
        for address in addresses { byInterface[address.interfaceIndex, default: []].append(address.address) }
        for (index, addresses) in byInterface {
            guard let announcer = announcer(interfaceIndex: index) else { continue }
            for _ in 0..<max(1, times) {
                do {
                    try announcer.announce(addresses)
                } catch {
                    logger.warning("cannot send gratuitous ARP / NA", metadata: ["error": "\(error)"])
                    return
                }
            }
        }
    }

    /// The interface's announcer, opened at its first use and kept until `stop()`.
    private func announcer(interfaceIndex index: UInt32) -> GratuitousAnnouncer? {
        if let announcer = announcers[index] { return announcer }
        guard let name = environment.interfaceName(index), let interface = NetworkInterface(name: name) else { return nil }
        let announcer = GratuitousAnnouncer(interface: interface)
        announcers[index] = announcer
        return announcer
    }
}
