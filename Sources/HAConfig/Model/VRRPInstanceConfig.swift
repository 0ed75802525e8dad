public import HACore

/// keepalived `vrrp_instance NAME`: one virtual router (RFC 9568 §5, RFC 3768 §5) on one interface.
public struct VRRPInstanceConfig: Sendable, Equatable, Hashable {
    public var name: String
    public var location: SourceLocation
    /// `interface`: where adverts are sent and VIPs added.
    public var interface: String
    /// `state MASTER|BACKUP`; `nil` means the role (`hactl run --role`) decides.
    public var initialState: VRRPInitialState?
    /// `virtual_router_id` 1–255 (RFC 9568 §5.2.3).
    public var virtualRouterID: Int
    /// `priority` 1–255; `nil` means the role default (master 250, backup 240).
    public var priority: Int?
    /// `advert_int` (default 1 s; v3 allows centiseconds).
    public var advertInterval: Duration
    /// VRRP version for this instance; `nil` means `global`'s `vrrp_version`.
    public var version: Int?
    /// `authentication PASS|AH secret` (keepalived `auth_type`/`auth_pass`; v2 only).
    public var authentication: VRRPAuthentication?
    /// `virtual_ipaddress` entries.
    public var virtualIPAddresses: [VirtualIPAddress]
    /// `virtual_ipaddress_excluded`: VIPs not carried in adverts.
    public var excludedVirtualIPAddresses: [VirtualIPAddress]
    /// `unicast_src_ip`.
    public var unicastSourceIP: String?
    /// `unicast_peer` addresses (each node lists every node; hactl skips its own).
    public var unicastPeers: [String]
    /// `nopreempt`.
    public var noPreempt: Bool
    /// `preempt_delay` (default 0).
    public var preemptDelay: Duration
    /// `track_proxy` (default on; `no track_proxy` opts out): leave MASTER when the proxy fails.
    public var trackProxy: Bool
    /// `track_script` entries.
    public var trackScripts: [TrackReference]
    /// `track_interface` entries.
    public var trackInterfaces: [TrackReference]
    /// `track_file` entries.
    public var trackFiles: [TrackReference]
    /// `notify`: called with TYPE NAME STATE PRIORITY.
    public var notify: ScriptCommand?
    public var notifyMaster: ScriptCommand?
    public var notifyBackup: ScriptCommand?
    public var notifyFault: ScriptCommand?
    public var notifyStop: ScriptCommand?
    /// `garp_master_delay` (default 5 s): second burst of gratuitous ARPs after becoming MASTER.
    public var garpMasterDelay: Duration
    /// `garp_master_repeat` (default 5).
    public var garpMasterRepeat: Int
    /// `garp_master_refresh`: periodic gratuitous ARPs while MASTER.
    public var garpMasterRefresh: Duration?
    /// `garp_master_refresh_repeat` (default 1).
    public var garpMasterRefreshRepeat: Int
    /// `garp_lower_prio_delay`: second burst of gratuitous ARPs after a MASTER heard a
    /// lower-priority router claim MASTER (a healed partition). nil: `garp_master_delay`.
    public var garpLowerPrioDelay: Duration?
    /// `garp_lower_prio_repeat`: gratuitous ARPs per burst in that case; 0 sends none.
    /// nil: `garp_master_repeat`.
    public var garpLowerPrioRepeat: Int?
    /// `higher_prio_send_advert`: a MASTER yielding to a higher priority sends one last advert
    /// at its own priority, so the winner sees a lower-priority master and re-announces the
    /// VIPs. keepalived's default is off; hactl's is on (see `VirtualRouterParameters`).
    public var higherPrioSendAdvert: Bool
    /// `vrrpv3_checksum_as_v2`: compute the v3 IPv4 checksum without the pseudo-header.
    public var v3ChecksumAsV2: Bool
    /// `smtp_alert`.
    public var smtpAlert: Bool
    /// `dont_track_primary`: ignore the state of `interface` itself.
    public var dontTrackPrimary: Bool
    /// `mcast_src_ip`.
    public var mcastSourceIP: String?
    /// `vrrp_witness ADDR [interval D] [fall N] [rise N]` (hactl's own keyword): a third host
    /// that settles who may hold the VIPs of a two-node pair when the nodes cannot hear each other.
    public var witness: VRRPWitnessConfig?
    /// Where each keyword was last written in the section, for errors about its value.
    public var keywordLocations: [String: SourceLocation] = [:]

    /// The line of `keyword` in this section, or the section's own line when it is not written.
    public func location(of keyword: String) -> SourceLocation { keywordLocations[keyword] ?? location }

    public init(
        name: String,
        location: SourceLocation = .builtIn,
        interface: String,
        initialState: VRRPInitialState? = nil,
        virtualRouterID: Int,
        priority: Int? = nil,
        advertInterval: Duration = .seconds(1),
        version: Int? = nil,
        authentication: VRRPAuthentication? = nil,
        virtualIPAddresses: [VirtualIPAddress] = [],
        excludedVirtualIPAddresses: [VirtualIPAddress] = [],
        unicastSourceIP: String? = nil,
        unicastPeers: [String] = [],
        noPreempt: Bool = false,
        preemptDelay: Duration = .zero,
        trackProxy: Bool = true,
        trackScripts: [TrackReference] = [],
        trackInterfaces: [TrackReference] = [],
        trackFiles: [TrackReference] = [],
        notify: ScriptCommand? = nil,
        notifyMaster: ScriptCommand? = nil,
        notifyBackup: ScriptCommand? = nil,
        notifyFault: ScriptCommand? = nil,
        notifyStop: ScriptCommand? = nil,
        garpMasterDelay: Duration = .seconds(5),
        garpMasterRepeat: Int = 5,
        garpMasterRefresh: Duration? = nil,
        garpMasterRefreshRepeat: Int = 1,
        garpLowerPrioDelay: Duration? = nil,
        garpLowerPrioRepeat: Int? = nil,
        higherPrioSendAdvert: Bool = true,
        v3ChecksumAsV2: Bool = false,
        smtpAlert: Bool = false,
        dontTrackPrimary: Bool = false,
        mcastSourceIP: String? = nil,
        witness: VRRPWitnessConfig? = nil
    ) {
        self.name = name
        self.location = location
        self.interface = interface
        self.initialState = initialState
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertInterval = advertInterval
        self.version = version
        self.authentication = authentication
        self.virtualIPAddresses = virtualIPAddresses
        self.excludedVirtualIPAddresses = excludedVirtualIPAddresses
        self.unicastSourceIP = unicastSourceIP
        self.unicastPeers = unicastPeers
        self.noPreempt = noPreempt
        self.preemptDelay = preemptDelay
        self.trackProxy = trackProxy
        self.trackScripts = trackScripts
        self.trackInterfaces = trackInterfaces
        self.trackFiles = trackFiles
        self.notify = notify
        self.notifyMaster = notifyMaster
        self.notifyBackup = notifyBackup
        self.notifyFault = notifyFault
        self.notifyStop = notifyStop
        self.garpMasterDelay = garpMasterDelay
        self.garpMasterRepeat = garpMasterRepeat
        self.garpMasterRefresh = garpMasterRefresh
        self.garpMasterRefreshRepeat = garpMasterRefreshRepeat
        self.garpLowerPrioDelay = garpLowerPrioDelay
        self.garpLowerPrioRepeat = garpLowerPrioRepeat
        self.higherPrioSendAdvert = higherPrioSendAdvert
        self.v3ChecksumAsV2 = v3ChecksumAsV2
        self.smtpAlert = smtpAlert
        self.dontTrackPrimary = dontTrackPrimary
        self.mcastSourceIP = mcastSourceIP
        self.witness = witness
    }

    /// Whether the instance's addresses are IPv6 (decided by the first VIP, as keepalived does).
    public var isIPv6: Bool {
        virtualIPAddresses.first?.isIPv6 ?? false
    }
}

/// hactl's `vrrp_witness ADDR [interval D] [fall N] [rise N]` (no keepalived equivalent).
///
/// A node that answers neither from its peer nor from the witness is isolated: it does not claim
/// the VIPs (a BACKUP whose Master_Down_Timer expires first asks the witness and the peer, and
/// claims only if one of them answers) and, after `fall` rounds without an answer, it enters
/// FAULT, so an isolated MASTER releases them. It leaves FAULT after `rise` rounds with an answer.
/// The trade-off: when the peer and the witness are lost together, neither node holds the VIPs.
public struct VRRPWitnessConfig: Sendable, Equatable, Hashable {
    /// The witness's IPv4 address, probed with ICMP echo out of the instance's interface.
    public var address: String
    /// Time between probe rounds (and the time a round waits for answers); nil: `advert_int`.
    public var interval: Duration?
    /// Rounds without an answer from the peer or the witness before FAULT (default 3).
    public var fall: Int
    /// Rounds with an answer before leaving FAULT (default 1).
    public var rise: Int
    public var location: SourceLocation

    public init(address: String, interval: Duration? = nil, fall: Int = 3, rise: Int = 1, location: SourceLocation = .builtIn) {
        self.address = address
        self.interval = interval
        self.fall = fall
        self.rise = rise
        self.location = location
    }
}

/// keepalived `state MASTER|BACKUP`.
public enum VRRPInitialState: String, Sendable, Equatable, Hashable {
    case master = "MASTER"
    case backup = "BACKUP"
}

/// keepalived `authentication { auth_type PASS|AH; auth_pass SECRET }` (RFC 2338 §5.3.6; VRRPv2 only).
public enum VRRPAuthentication: Sendable, Equatable, Hashable {
    /// Simple text password (at most 8 bytes on the wire).
    case pass(String)
    /// IPSEC AH.
    case ah(String)
}

/// One `virtual_ipaddress` entry: `ADDRESS[/PREFIX] [brd ADDRESS] [dev IFACE] [scope SCOPE] [label LABEL]`.
public struct VirtualIPAddress: Sendable, Equatable, Hashable {
    /// The address text (IPv4 dotted quad or IPv6).
    public var address: String
    /// Prefix length (default /32 for IPv4, /128 for IPv6).
    public var prefixLength: Int
    /// `dev`: add it to this interface instead of the instance's.
    public var device: String?
    /// `label`.
    public var label: String?
    /// `brd`: the IPv4 broadcast address to set with the address.
    public var broadcast: String?
    /// `scope`: `global` (the kernel's default), `site`, `link` or `host`.
    public var scope: String?
    public var location: SourceLocation

    public init(
        address: String, prefixLength: Int? = nil, device: String? = nil, label: String? = nil,
        broadcast: String? = nil, scope: String? = nil, location: SourceLocation = .builtIn
    ) {
        self.address = address
        self.prefixLength = prefixLength ?? (address.contains(":") ? 128 : 32)
        self.device = device
        self.label = label
        self.broadcast = broadcast
        self.scope = scope
        self.location = location
    }

    public var isIPv6: Bool { address.contains(":") }
}

/// A `track_script` / `track_interface` / `track_file` entry: `NAME [weight N]`.
public struct TrackReference: Sendable, Equatable, Hashable {
    public var name: String
    /// Overrides the tracked object's own weight; `nil` keeps it.
    public var weight: Int?
    /// `reverse`: apply the weight in the opposite direction.
    public var reverse: Bool
    public var location: SourceLocation

    public init(name: String, weight: Int? = nil, reverse: Bool = false, location: SourceLocation = .builtIn) {
        self.name = name
        self.weight = weight
        self.reverse = reverse
        self.location = location
    }
}
