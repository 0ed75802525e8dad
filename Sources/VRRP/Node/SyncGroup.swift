import NIOCore
import Synchronization

/// keepalived's `vrrp_sync_group`: its instances change state together. One member becoming
/// MASTER takes the others to MASTER, one leaving MASTER for BACKUP takes them to BACKUP, and
/// one in FAULT holds every other member in FAULT until it recovers.
final class SyncGroup: Sendable {
    let name: String
    private let members: Mutex<[VirtualRouterNode]> = Mutex([])

    init(name: String) {
        self.name = name
    }

    func add(_ node: VirtualRouterNode) {
        members.withLock { $0.append(node) }
    }

    /// Called on `node`'s loop after it moved; moves the others on their own loops.
    func memberMoved(_ node: VirtualRouterNode, from: VRRPState, to: VRRPState, reason: TransitionReason) {
        if case .syncGroup = reason { return }
        let others = members.withLock { $0.filter { $0 !== node } }
        let groupReason = TransitionReason.syncGroup(group: name, instance: node.plan.name)
        let tracker = "sync_group \(name) member \(node.plan.name)"
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
                if to == .fault {
                    other.setTracker(tracker, .status(up: false, weight: 0), reason: "\(node.plan.name) is in FAULT")
                } else if from == .fault {
                    other.setTracker(tracker, .status(up: true, weight: 0), reason: "\(node.plan.name) left FAULT")
                }
            }
        }
    }
}
