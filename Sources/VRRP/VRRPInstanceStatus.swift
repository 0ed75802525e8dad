/// One instance as `hactl status` shows it: state, the priority and every term that makes it,
/// the VIPs, who is master, advert counters, the dropped-packet counters by
/// `AdvertisementRejection` name and beside them the adverts accepted although RFC 9568 §7.1
/// would drop them ("unicast_ttl"), the last transitions, and an operator's failover hold.
public struct VRRPInstanceStatus: Sendable, Hashable {
    /// One tracked object's term, as `TrackerChange.Term` logs it, with its kind apart.
    public struct PriorityTerm: Sendable, Hashable {
        /// "track_script chk_gw", "interface eth0", "track_proxy"...
        public var name: String
        /// "track_script", "track_interface", "interface", "track_file", "track_proxy", "sync_group".
        public var kind: String
        /// What it adds to the base priority now (0 when it is FAULT).
        public var value: Int
        /// True when it holds the instance in FAULT.
        public var fault: Bool

        public init(name: String, kind: String, value: Int, fault: Bool) {
            self.name = name
            self.kind = kind
            self.value = value
            self.fault = fault
        }
    }

    /// One configured virtual address and whether this node holds it now (MASTER).
    public struct VirtualAddress: Sendable, Hashable {
        /// "198.18.1.10/24".
        public var address: String
        public var device: String
        public var held: Bool

        public init(address: String, device: String, held: Bool) {
            self.address = address
            self.device = device
            self.held = held
        }
    }

    /// One state change; `unixMilliseconds` is wall-clock time, for display only.
    public struct Transition: Sendable, Hashable {
        public var from: String
        public var to: String
        public var reason: String
        public var unixMilliseconds: Int64

        public init(from: String, to: String, reason: String, unixMilliseconds: Int64) {
            self.from = from
            self.to = to
            self.reason = reason
            self.unixMilliseconds = unixMilliseconds
        }
    }

    /// `hactl failover` in force on this instance.
    public enum FailoverHold: String, Sendable, Hashable {
        /// Handed over: advertising priority 1 until `failover --clear` or a restart.
        case heldDown = "held down"
        /// Took over with `--force`: advertising above the previous master.
        case forced = "forced master"
    }

    public var name: String
    public var state: String
    /// The priority adverts carry now (after tracking and any failover hold).
    public var priority: Int
    /// The configured priority (file, role or `--priority`).
    public var basePriority: Int = 0
    /// Every tracked object's term, sorted by name.
    public var terms: [PriorityTerm] = []
    /// The current master's primary address as we know it (ours when MASTER).
    public var master: String?
    /// The priority the master advertised last (ours when MASTER).
    public var masterPriority: Int?
    public var faults: [String]
    public var virtualAddresses: [VirtualAddress] = []
    /// Milliseconds since the last advert from another router was accepted; nil if none yet.
    public var millisecondsSinceLastAdvert: Int64?
    public var advertsSent: Int = 0
    public var advertsReceived: Int = 0
    public var drops: [String: Int]
    /// Adverts accepted where the RFC says drop, by reason: "unicast_ttl" (TTL ≠ 255 on unicast).
    public var accepted: [String: Int]
    /// The last transitions (at most `transitionHistoryLimit`), oldest first.
    public var transitions: [Transition] = []
    /// State transitions since start (a monotonic counter, for `hactl_vrrp_transitions_total`).
    public var transitionsTotal: Int = 0
    public var failoverHold: FailoverHold?
    /// `vrrp_witness`: what the last probe round reached (nil without a witness).
    public var witness: Witness?

    /// `vrrp_witness` as `hactl status` shows it.
    public struct Witness: Sendable, Hashable {
        public var address: String
        /// The witness answered in the last round.
        public var reachable: Bool
        /// The peer was reached in the last round (echo, advert or peer link).
        public var peerReachable: Bool
        /// Neither, for `fall` rounds: the instance is in FAULT.
        public var isolated: Bool

        public init(address: String, reachable: Bool, peerReachable: Bool, isolated: Bool) {
            self.address = address
            self.reachable = reachable
            self.peerReachable = peerReachable
            self.isolated = isolated
        }
    }

    /// How many transitions `transitions` keeps.
    public static let transitionHistoryLimit = 10

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
