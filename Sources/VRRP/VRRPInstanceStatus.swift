/// One instance as `hactl status` shows it: state, effective priority, who is master,
/// what holds it in FAULT, the dropped-packet counters by `AdvertisementRejection` name, and
/// beside them the adverts accepted although RFC 9568 §7.1 would drop them ("unicast_ttl").
public struct VRRPInstanceStatus: Sendable, Hashable {
    public var name: String
    public var state: String
    public var priority: Int
    /// The current master's primary address as we know it (ours when MASTER).
    public var master: String?
    public var faults: [String]
    public var drops: [String: Int]
    /// Adverts accepted where the RFC says drop, by reason: "unicast_ttl" (TTL ≠ 255 on unicast).
    public var accepted: [String: Int]

    public init(
        name: String, state: String, priority: Int, master: String?, faults: [String], drops: [String: Int],
        accepted: [String: Int] = [:]
    ) {
        self.name = name
        self.state = state
        self.priority = priority
        self.master = master
        self.faults = faults
        self.drops = drops
        self.accepted = accepted
    }
}
