public import HAConfig
import Netlink

/// `hactl cleanup`: what a node that died without resigning (SIGKILL, OOM, a crash) leaves
/// behind is its VIPs, still configured on its interfaces, still answering ARP for them and
/// fighting the new master. systemd runs this from `ExecStopPost=` after every stop.
extension VRRPEngine {
    /// What `removeVirtualAddresses(of:)` did, address by address.
    public struct CleanupReport: Sendable, Hashable {
        /// VIPs that were on this node and are gone now ("198.18.0.100/24 dev eth0").
        public var removed: [String] = []
        /// VIPs of the configuration that this node did not hold.
        public var absent: [String] = []
        /// VIPs on an interface that does not exist here: nothing to remove.
        public var skipped: [String] = []
    }

    /// Removes every VIP of every `vrrp_instance` in `configuration` from this node, and nothing
    /// else: an address is removed only when the same address is on the interface the instance
    /// would put it on. Idempotent: a second run finds every VIP absent. Throws only when the
    /// kernel refuses (netlink), never because a VIP or an interface is missing.
    public static func removeVirtualAddresses(of configuration: Configuration) throws -> CleanupReport {
        let plans = try plans(for: configuration) {
            InstanceSettings(priority: $0.priority ?? 240, state: $0.initialState ?? .backup)
        }
        let table = try AddressTable()
        let present = try table.addresses()
        var report = CleanupReport()
        var seen = Set<String>()
        for plan in plans {
            for vip in plan.virtualAddresses {
                let device = vip.device ?? plan.interface
                let name = "\(vip.address)/\(vip.prefixLength) dev \(device)"
                guard seen.insert(name).inserted else { continue }
                guard let interface = NetworkInterface(name: device) else {
                    report.skipped.append(name)
                    continue
                }
                guard present.contains(where: { $0.address == vip.address && $0.interfaceIndex == interface.index }) else {
                    report.absent.append(name)
                    continue
                }
                try table.remove(
                    InterfaceAddress(
                        address: vip.address, prefixLength: vip.prefixLength, interfaceIndex: interface.index,
                        label: vip.label, broadcast: vip.broadcast, scope: vip.scope))
                report.removed.append(name)
            }
        }
        return report
    }
}
