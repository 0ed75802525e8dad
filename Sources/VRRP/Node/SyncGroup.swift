import NIOCore
import Synchronization

/// keepalived's `vrrp_sync_group`: its instances change state together. One member becoming
/// MASTER takes the others to MASTER, one leaving MASTER for BACKUP takes them to BACKUP, and
/// one with a fault of its own holds every other member in FAULT until it recovers
/// (`SyncGroupFaults` decides; this shell delivers its verdicts on each member's loop).
final class SyncGroup: Sendable {
    let name: String
    private let members: Mutex<[VirtualRouterNode]> = Mutex([])
    private let faults: Mutex<SyncGroupFaults>

    init(name: String, members names: [String]) {
        self.name = name
        self.faults = Mutex(SyncGroupFaults(group: name, members: names))
    }

    func add(_ node: VirtualRouterNode) {
        members.withLock { $0.append(node) }
    }

    /// Called on `node`'s loop after it moved; moves the others on their own loops. FAULT is
    /// not passed on here: `ownFaultsChanged` does, for a member's own faults only.
    func memberMoved(_ node: VirtualRouterNode, from: VRRPState, to: VRRPState, reason: TransitionReason) {
        if case .syncGroup = reason { return }
        let others = members.withLock { $0.filter { $0 !== node } }
        let groupReason = TransitionReason.syncGroup(group: name, instance: node.plan.name)
        for other in others {
            other.eventLoop.execute {
                guard !other.stopped else { return }
                switch to {
                case .master:
                    other.run(other.machine.syncGroupMaster(reason: groupReason, now: .now()))
                case .backup where from == .master:
                    other.run(other.machine.syncGroupBackup(reason: groupReason, now: .now()))
                default:
                    break
                }
            }
        }
    }

    /// Called on `node`'s loop whenever its tracking was applied, with its own faults (not those
    /// the group imposes). Holds or releases the other members on their loops; the holds one
    /// member sends reach each other member in the order they were sent.
    func ownFaultsChanged(_ node: VirtualRouterNode, faults ownFaults: [String]) {
        let holds = faults.withLock { $0.ownFaults(of: node.plan.name, are: ownFaults) }
        guard !holds.isEmpty else { return }
        let others = members.withLock { $0.filter { $0 !== node } }
        for hold in holds {
            for other in others where other.plan.name == hold.member {
                let why = hold.inFault ? "\(hold.peer) is in FAULT (\(ownFaults.joined(separator: ", ")))" : "\(hold.peer) left FAULT"
                other.eventLoop.execute {
                    guard !other.stopped else { return }
                    other.setTracker(hold.tracker, .syncGroupPeer(inFault: hold.inFault), reason: why)
                }
            }
        }
    }
}
