import HACore
import HAConfig
import Netlink

/// One `vrrp_instance` resolved from the configuration, the role and the overrides into what
/// the node shell runs: typed addresses, resolved priority and state, tracked objects.
struct InstancePlan: Sendable, Hashable {
    struct VirtualAddress: Sendable, Hashable {
        var address: IPAddress
        var prefixLength: UInt8
        /// `dev`; nil means the instance's interface.
        var device: String?
        var label: String?
        var broadcast: IPAddress?
        var scope: UInt8?
    }

    /// keepalived's `reverse` flips the tracked object's verdict (and a track_file's value).
    struct Script: Sendable, Hashable {
        var config: VRRPScriptConfig
        var weight: Int
        var reverse: Bool
    }

    struct TrackedInterface: Sendable, Hashable {
        var name: String
        var weight: Int
        var reverse: Bool
    }

    struct TrackedFile: Sendable, Hashable {
        var config: VRRPTrackFileConfig
        var weight: Int
        var reverse: Bool
    }

    struct Notify: Sendable, Hashable {
        var notify: ScriptCommand?
        var master: ScriptCommand?
        var backup: ScriptCommand?
        var fault: ScriptCommand?
        var stop: ScriptCommand?
        /// keepalived passes "INSTANCE" or "GROUP" as the first argument of `notify`.
        var kind: String
        var name: String
    }

    var name: String
    /// The `vrrp_instance` line, for errors found at start (a missing interface).
    var location: SourceLocation
    var interface: String
    var ipv4: Bool
    var version: VRRPVersion
    var virtualRouterID: UInt8
    var priority: UInt8
    var startAsMaster: Bool
    var advertisementInterval: Duration
    var preempt: Bool
    var preemptDelay: Duration
    var authentication: AdvertisementAuthentication
    var checksumStyle: IPv4ChecksumStyle
    var virtualAddresses: [VirtualAddress]
    /// The addresses carried in adverts (`virtual_ipaddress`, not `_excluded`).
    var advertisedAddresses: [IPAddress]
    var sourceAddress: IPAddress?
    var unicastPeers: [IPAddress]
    var multicastGroup: IPAddress
    var trackProxy: Bool
    var trackPrimaryInterface: Bool
    var scripts: [Script]
    var interfaces: [TrackedInterface]
    var files: [TrackedFile]
    var notify: [Notify]
    var garpMasterDelay: Duration
    var garpMasterRepeat: Int
    var garpMasterRefresh: Duration?
    var garpMasterRefreshRepeat: Int
    /// `garp_lower_prio_delay` / `garp_lower_prio_repeat`, resolved (they default to the
    /// `garp_master_*` values).
    var garpLowerPrioDelay: Duration
    var garpLowerPrioRepeat: Int
    /// `higher_prio_send_advert`.
    var higherPrioSendAdvert: Bool
    var syncGroup: String?
    /// What the instance does about a live lower-priority master, as logged at start:
    /// "on", "on after 30s (preempt_delay)" or "off (nopreempt)".
    var preemptionInEffect: String {
        if !preempt { return "off (nopreempt)" }
        guard preemptDelay > .zero else { return "on" }
        let milliseconds = preemptDelay.milliseconds
        let seconds = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
        return "on after \(seconds)s (preempt_delay)"
    }

    /// `vrrp_witness`, resolved: what the isolation rule probes and how often.
    struct Witness: Sendable, Hashable {
        var address: IPAddress
        var interval: Duration
        var fall: Int
        var rise: Int
        /// The peer's candidate addresses (`unicast_peer`, the `peers` section); ours are skipped.
        var peers: [IPAddress]
    }

    var witness: Witness?

    /// Settings accepted but without effect, logged once at start (as keepalived warns).
    var warnings: [String] = []
}
