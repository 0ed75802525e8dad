import NIOCore
import Netlink

/// keepalived's gratuitous ARP timing on becoming MASTER: `garp_master_repeat` announcements at
/// once, the same again after `garp_master_delay`, and `garp_master_refresh_repeat` every
/// `garp_master_refresh` while MASTER.
extension VirtualRouterNode {
    func scheduleAnnouncements() {
        cancelAnnouncements()
        announce(times: plan.garpMasterRepeat)
        if plan.garpMasterDelay > .zero {
            let task = eventLoop.scheduleTask(in: TimeAmount(plan.garpMasterDelay)) { [weak self] in
                guard let self, self.machine.state == .master else { return }
                self.announce(times: self.plan.garpMasterRepeat)
            }
            announceTasks.append(task)
        }
        if let refresh = plan.garpMasterRefresh, refresh > .zero {
            let interval = TimeAmount(refresh)
            refreshTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in
                guard let self, self.machine.state == .master else { return }
                self.announce(times: self.plan.garpMasterRefreshRepeat)
            }
        }
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
