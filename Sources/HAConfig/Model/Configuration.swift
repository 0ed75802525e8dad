/// The whole validated configuration of one hactl node: what hactl.conf, keepalived.conf and
/// haproxy.cfg all parse into (ARCHITECTURE.md rule 3).
///
/// Proxy sections follow HAProxy's `global`, `frontend`, `backend` and `listen`; VRRP sections
/// follow keepalived's `global_defs`, `vrrp_instance`, `vrrp_sync_group`, `vrrp_script` and
/// `vrrp_track_file`. A `listen X` section yields one `Frontend` and one `Backend` both named X.
public struct Configuration: Sendable, Equatable, Hashable {
    public var global: GlobalSettings
    public var frontends: [Frontend]
    public var backends: [Backend]
    public var vrrpInstances: [VRRPInstanceConfig]
    public var vrrpSyncGroups: [VRRPSyncGroupConfig]
    public var vrrpScripts: [VRRPScriptConfig]
    public var vrrpTrackFiles: [VRRPTrackFileConfig]
    /// HAProxy's `peers` section: the hactl pair this node belongs to (the peer channel).
    public var peers: PeersConfig?
    /// What `hactl check` prints and `hactl run` logs as warnings; not part of what the
    /// configuration means (`withoutLocations()` drops them).
    public var warnings: [ConfigWarning] = []
    /// SHA-256 (hex) of each file the proxy reads at start by a path the configuration names
    /// (`bind ... crt` files, a `crt` directory's files, `server ... ca-file` / `crt`,
    /// `tls-ticket-keys`), keyed by path. Filled when the running program loads the
    /// configuration, not by parsing: a reload compares them, so a certificate replaced under an
    /// unchanged text is still a change (of the sections naming it).
    public var fileDigests: [String: String] = [:]

    public init(
        global: GlobalSettings = GlobalSettings(),
        frontends: [Frontend] = [],
        backends: [Backend] = [],
        vrrpInstances: [VRRPInstanceConfig] = [],
        vrrpSyncGroups: [VRRPSyncGroupConfig] = [],
        vrrpScripts: [VRRPScriptConfig] = [],
        vrrpTrackFiles: [VRRPTrackFileConfig] = [],
        peers: PeersConfig? = nil
    ) {
        self.peers = peers
        self.global = global
        self.frontends = frontends
        self.backends = backends
        self.vrrpInstances = vrrpInstances
        self.vrrpSyncGroups = vrrpSyncGroups
        self.vrrpScripts = vrrpScripts
        self.vrrpTrackFiles = vrrpTrackFiles
    }

    /// The backend (or `listen` section's backend half) called `name`.
    public func backend(named name: String) -> Backend? {
        backends.first { $0.name == name }
    }

    /// The frontend (or `listen` section's frontend half) called `name`.
    public func frontend(named name: String) -> Frontend? {
        frontends.first { $0.name == name }
    }

    /// The `vrrp_script` called `name`.
    public func vrrpScript(named name: String) -> VRRPScriptConfig? {
        vrrpScripts.first { $0.name == name }
    }

    /// The `vrrp_instance` called `name`.
    public func vrrpInstance(named name: String) -> VRRPInstanceConfig? {
        vrrpInstances.first { $0.name == name }
    }

    /// The `vrrp_track_file` called `name`.
    public func vrrpTrackFile(named name: String) -> VRRPTrackFileConfig? {
        vrrpTrackFiles.first { $0.name == name }
    }

    /// One line for logs and `hactl check`: "2 frontends, 3 backends, 4 servers, 1 VRRP instances".
    public var summary: String {
        let servers = backends.reduce(0) { $0 + $1.servers.count }
        return "\(frontends.count) frontends, \(backends.count) backends, \(servers) servers, \(vrrpInstances.count) VRRP instances"
    }
}
