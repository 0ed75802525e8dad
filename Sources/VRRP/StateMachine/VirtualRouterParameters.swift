public import Netlink

/// What the state machine needs to know about one virtual router (RFC 9568 §6.1 "Parameters
/// Per Virtual Router"), already resolved from the configuration, role and overrides.
public struct VirtualRouterParameters: Sendable, Hashable {
    /// VRID (keepalived `virtual_router_id`).
    public var virtualRouterID: UInt8
    public var version: VRRPVersion
    /// The configured priority, 1–255 (keepalived `priority`; 255 = address owner).
    public var priority: UInt8
    /// Advertisement_Interval (keepalived `advert_int`); centisecond resolution on the wire.
    public var advertisementInterval: Duration
    /// Preempt_Mode; false is keepalived's `nopreempt`.
    public var preempt: Bool
    /// keepalived `preempt_delay`: how long a higher-priority backup lets a live lower-priority
    /// master keep the role before preempting it. Zero is RFC behaviour.
    public var preemptDelay: Duration
    /// This router's primary address on the interface (RFC 9568 §6.4.3 tie-break).
    public var primaryAddress: IPAddress
    /// keepalived `higher_prio_send_advert`: a MASTER that yields to a higher priority sends one
    /// last advert at its own priority first. hactl turns it on by default (keepalived does not):
    /// after a partition heals it is what makes the winner re-announce the VIPs when the loser
    /// heard the winner first (see `VRRPStateMachine.masterReceived`).
    public var yieldsWithAdvert: Bool
    /// keepalived `garp_master_refresh`: while MASTER, re-announce the VIPs this often (nil: never).
    /// A bound of last resort on how long a client can keep a stale neighbour entry.
    public var announcementRefresh: Duration?
    /// hactl's `vrrp_witness`: a Master_Down_Timer that expires on silence does not make the
    /// router MASTER at once; it asks the shell to confirm that the witness or the peer answers
    /// (`VRRPAction.confirmReachability`) and claims only then.
    public var confirmsClaimWithWitness: Bool = false

    public init(
        virtualRouterID: UInt8, version: VRRPVersion, priority: UInt8, advertisementInterval: Duration,
        preempt: Bool = true, preemptDelay: Duration = .zero, primaryAddress: IPAddress,
        yieldsWithAdvert: Bool = true, announcementRefresh: Duration? = nil
    ) {
        self.yieldsWithAdvert = yieldsWithAdvert
        self.announcementRefresh = announcementRefresh
        self.virtualRouterID = virtualRouterID
        self.version = version
        self.priority = priority
        self.advertisementInterval = advertisementInterval
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.primaryAddress = primaryAddress
    }

    /// The interval in centiseconds as advertised (v2 rounds to whole seconds on the wire).
    public var intervalCentiseconds: UInt16 {
        UInt16(clamping: advertisementInterval.components.seconds * 100
            + advertisementInterval.components.attoseconds / 10_000_000_000_000_000)
    }
}
