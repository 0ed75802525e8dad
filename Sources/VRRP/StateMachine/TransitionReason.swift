public import Netlink

/// Why a virtual router changed state; its description is what logs, notify and
/// `HAEvent.vrrpTransition` carry ("higher priority advert from 198.18.0.12").
public enum TransitionReason: Hashable, Sendable, CustomStringConvertible {
    case startup
    /// RFC 9568 §6.4.1: the address owner (priority 255) goes straight to MASTER.
    case addressOwner
    /// RFC 9568 §6.4.2: no advertisement for Master_Down_Interval.
    case masterDownTimerExpired
    /// RFC 9568 §6.4.2: the master resigned with a priority 0 advert; we waited Skew_Time.
    case masterResigned(IPAddress)
    /// RFC 9568 §6.4.2 with Preempt_Mode: the live master has a lower priority than ours.
    case preemptingLowerPriorityMaster(IPAddress, priority: UInt8)
    /// RFC 9568 §6.4.3: a master heard a higher priority advert.
    case higherPriorityAdvertisement(IPAddress, priority: UInt8)
    /// RFC 9568 §6.4.3: same priority, higher primary address.
    case samePriorityHigherAddress(IPAddress)
    /// hactl's peer channel closed (FIN/RST) and no advert followed within the confirmation
    /// window: the master's process died.
    case peerProcessDied
    /// A tracked object failed (keepalived FAULT).
    case fault(String)
    /// Every tracked object is back.
    case faultCleared
    /// Another instance of the vrrp_sync_group moved.
    case syncGroup(group: String, instance: String)
    /// The service is stopping.
    case shutdown
    /// `hactl failover` on a MASTER: it resigned (priority 0) and is held down.
    case operatorFailover
    /// `hactl failover --force` on a BACKUP: it took the VIPs, advertising `priority`.
    case operatorTakeover(priority: UInt8)

    public var description: String {
        switch self {
        case .startup: return "startup"
        case .addressOwner: return "address owner (priority 255)"
        case .masterDownTimerExpired: return "master down timer expired"
        case .masterResigned(let address): return "master \(address) resigned (priority 0 advert)"
        case .preemptingLowerPriorityMaster(let address, let priority):
            return "preempting lower priority master \(address) (priority \(priority))"
        case .higherPriorityAdvertisement(let address, let priority):
            return "higher priority advert from \(address) (priority \(priority))"
        case .samePriorityHigherAddress(let address): return "same priority advert from higher address \(address)"
        case .peerProcessDied: return "peer process died (peer link closed, no advert followed)"
        case .fault(let why): return why
        case .faultCleared: return "fault cleared"
        case .syncGroup(let group, let instance): return "sync group \(group) follows \(instance)"
        case .shutdown: return "shutdown"
        case .operatorFailover: return "operator failover (handed over, held down)"
        case .operatorTakeover(let priority): return "operator failover --force (took over at priority \(priority))"
        }
    }
}
