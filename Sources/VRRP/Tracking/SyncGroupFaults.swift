/// keepalived's `vrrp_sync_group` FAULT rule as a value: a member with a fault of its own
/// (a tracker of its own in FAULT) holds every other member in FAULT; a member that is in FAULT
/// only because the group holds it holds nobody. So the group leaves FAULT together when the
/// last fault of its own clears, as keepalived does ("Syncing instances to BACKUP state").
///
/// Counting a group-held FAULT as the member's own made two members hold each other in FAULT
/// for ever once either had failed.
public struct SyncGroupFaults: Sendable, Hashable {
    /// The verdict one member must record for the tracker that stands for another member.
    public struct Hold: Sendable, Hashable {
        /// The member that records it.
        public var member: String
        /// "sync_group G member VI_1".
        public var tracker: String
        /// The member the tracker stands for.
        public var peer: String
        public var inFault: Bool
    }

    public let group: String
    public let members: [String]
    /// Members with a fault of their own now.
    public private(set) var faulted: Set<String> = []

    public init(group: String, members: [String]) {
        self.group = group
        self.members = members
    }

    /// `member`'s own faults (`TrackedPriority.ownFaults`) are now `faults`; returns what the
    /// other members must record, or nothing when its standing did not change.
    public mutating func ownFaults(of member: String, are faults: [String]) -> [Hold] {
        let inFault = !faults.isEmpty
        guard inFault != faulted.contains(member) else { return [] }
        if inFault { faulted.insert(member) } else { faulted.remove(member) }
        return members.filter { $0 != member }.map {
            Hold(member: $0, tracker: Self.tracker(group: group, member: member), peer: member, inFault: inFault)
        }
    }

    /// The tracker name under which a member records `member`'s FAULT.
    public static func tracker(group: String, member: String) -> String {
        "sync_group \(group) member \(member)"
    }
}
