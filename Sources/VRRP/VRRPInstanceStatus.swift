/// One instance as `hactl status` shows it: state, effective priority, who is master,
/// what holds it in FAULT, and the dropped-packet counters by `AdvertisementRejection` name.
public struct VRRPInstanceStatus: Sendable, Hashable {
    public var name: String
    public var state: String
    public var priority: Int
    /// The current master's primary address as we know it (ours when MASTER).
    public var master: String?
    public var faults: [String]
    public var drops: [String: Int]

    public init(name: String, state: String, priority: Int, master: String?, faults: [String], drops: [String: Int]) {
        self.name = name
        self.state = state
        self.priority = priority
        self.master = master
        self.faults = faults
        self.drops = drops
    }
}
