/// Everything `hactl status` shows about one node, as one value.
///
/// The appliance fills it (from the VRRP instances, the proxy's counters and the supervisor);
/// the control server sends it as `data` of a `status` reply, renders HAProxy's `show stat` /
/// `show info` / `show servers state` from it, and `hactl status` prints it with
/// `StatusRenderer` or, with `--json`, as the encoded value. JSON keys are snake_case; optional
/// fields are left out when absent.
public struct StatusReport: Codable, Sendable, Equatable {
    /// The node as a whole: identity, uptime, configuration files, last reload.
    public var node: Node
    /// One entry per VRRP instance (`vrrp_instance` / `instance` section), in configuration order.
    public var instances: [Instance]
    /// The embedded proxy's liveness as the supervisor sees it.
    public var proxy: ProxyStatus
    /// One entry per proxy frontend, in configuration order.
    public var frontends: [Frontend]
    /// One entry per proxy backend, in configuration order.
    public var backends: [Backend]
    /// The other node of the pair as the peer link reports it; nil without a `peers` section.
    public var peer: Peer?

    public init(node: Node, instances: [Instance] = [], proxy: ProxyStatus, frontends: [Frontend] = [], backends: [Backend] = [],
                peer: Peer? = nil) {
        self.peer = peer
        self.node = node
        self.instances = instances
        self.proxy = proxy
        self.frontends = frontends
        self.backends = backends
    }
}

// MARK: - Peer

extension StatusReport {
    /// The other hactl node of the pair, over the authenticated peer link.
    public struct Peer: Codable, Sendable, Equatable {
        public var name: String
        /// The link is up (authenticated, reports flowing).
        public var up: Bool
        /// When the link last went up or down (Unix milliseconds).
        public var since: Int64?
        /// The peer's own proxy verdict, from its last report.
        public var proxyUp: Bool?
        public var proxyReason: String?
        /// The peer's instances as it reported them.
        public var instances: [PeerInstance]

        public init(name: String, up: Bool, since: Int64? = nil, proxyUp: Bool? = nil, proxyReason: String? = nil,
                    instances: [PeerInstance] = []) {
            self.name = name
            self.up = up
            self.since = since
            self.proxyUp = proxyUp
            self.proxyReason = proxyReason
            self.instances = instances
        }

        enum CodingKeys: String, CodingKey {
            case name, up, since, instances
            case proxyUp = "proxy_up"
            case proxyReason = "proxy_reason"
        }
    }

    public struct PeerInstance: Codable, Sendable, Equatable {
        public var name: String
        public var state: String
        public var priority: Int

        public init(name: String, state: String, priority: Int) {
            self.name = name
            self.state = state
            self.priority = priority
        }
    }
}

// MARK: - Node

extension StatusReport {
    /// The node: who it is, how long it has run, what configuration it runs.
    public struct Node: Codable, Sendable, Equatable {
        /// The node's role in the pair as configured (for example `primary`, `secondary`, `standalone`).
        public var role: String
        /// The host name the node reports (`node` in HAProxy's `show info`).
        public var hostname: String
        /// hactl's version string.
        public var version: String
        /// Seconds since the process started.
        public var uptimeSeconds: Int
        /// The configuration files loaded, each with the SHA-256 of its content, so two nodes
        /// can be compared at a glance.
        public var files: [File]
        /// The outcome of the last reload (SIGHUP or `reload` command); absent before the first.
        public var lastReload: Reload?

        public init(role: String, hostname: String, version: String, uptimeSeconds: Int, files: [File] = [], lastReload: Reload? = nil) {
            self.role = role
            self.hostname = hostname
            self.version = version
            self.uptimeSeconds = uptimeSeconds
            self.files = files
            self.lastReload = lastReload
        }

        enum CodingKeys: String, CodingKey {
            case role, hostname, version, files
            case uptimeSeconds = "uptime_seconds"
            case lastReload = "last_reload"
        }
    }

    /// A configuration file and the SHA-256 (lowercase hex) of the content that was loaded.
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String

        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// One reload attempt.
    public struct Reload: Codable, Sendable, Equatable {
        /// When it finished, in milliseconds since the Unix epoch.
        public var at: Int64
        /// What came of it.
        public var result: ReloadResult
        /// A line for the operator: the diff summary, or the first error with its file:line.
        public var detail: String

        public init(at: Int64, result: ReloadResult, detail: String) {
            self.at = at
            self.result = result
            self.detail = detail
        }
    }

    /// ARCHITECTURE.md rule 5: a reload is validated completely, then applied as a diff.
    public enum ReloadResult: String, Codable, Sendable, Equatable {
        /// The new configuration was valid and its difference applied.
        case applied
        /// The files had not changed; nothing was done.
        case unchanged
        /// Validation failed; nothing changed.
        case rejected
        /// Validation passed but applying the difference failed part way.
        case failed
    }
}

// MARK: - VRRP instances

extension StatusReport {
    /// One VRRP instance (RFC 9568 virtual router) on this node.
    public struct Instance: Codable, Sendable, Equatable {
        /// The instance's name (`vrrp_instance VI_1`).
        public var name: String
        /// RFC 9568 §6.4 state.
        public var state: VRRPState
        /// The configured `priority`.
        public var basePriority: Int
        /// The priority advertised now: base plus/minus the tracked terms' weights.
        public var effectivePriority: Int
        /// Everything that moves the priority or forces FAULT: track scripts, interfaces,
        /// files, the proxy, the sync group.
        public var terms: [Term]
        /// The virtual addresses (`virtual_ipaddress`), as written in the configuration.
        public var vips: [String]
        /// Whether this node currently has the VIPs on its interface.
        public var vipsHeld: Bool
        /// The master heard on the wire, when this node is not master; absent otherwise.
        public var masterSeen: MasterSeen?
        /// Milliseconds since the last advertisement was received; absent if none ever was.
        public var lastAdvertMsAgo: Int?
        /// Advertisement counters.
        public var adverts: Adverts
        /// The most recent state transitions, oldest first (at most 10).
        public var transitions: [Transition]
        /// `hactl failover` left a hold: this node will not (re)take MASTER until it is cleared.
        public var failoverHold: Bool
        /// State transitions since start; `transitions` keeps only the last ten.
        public var transitionsTotal: Int?
        /// hactl's `vrrp_witness`, when configured: what the last probe round reached.
        public var witness: Witness?

        public init(
            name: String, state: VRRPState, basePriority: Int, effectivePriority: Int, terms: [Term] = [],
            vips: [String] = [], vipsHeld: Bool = false, masterSeen: MasterSeen? = nil, lastAdvertMsAgo: Int? = nil,
            adverts: Adverts = Adverts(), transitions: [Transition] = [], failoverHold: Bool = false
        ) {
            self.name = name
            self.state = state
            self.basePriority = basePriority
            self.effectivePriority = effectivePriority
            self.terms = terms
            self.vips = vips
            self.vipsHeld = vipsHeld
            self.masterSeen = masterSeen
            self.lastAdvertMsAgo = lastAdvertMsAgo
            self.adverts = adverts
            self.transitions = transitions
            self.failoverHold = failoverHold
        }

        enum CodingKeys: String, CodingKey {
            case name, state, terms, vips, adverts, transitions
            case basePriority = "base_priority"
            case effectivePriority = "effective_priority"
            case vipsHeld = "vips_held"
            case masterSeen = "master_seen"
            case lastAdvertMsAgo = "last_advert_ms_ago"
            case failoverHold = "failover_hold"
            case transitionsTotal = "transitions_total"
            case witness
        }
    }

    /// `vrrp_witness ADDR`: a node that reaches neither its peer nor the witness is isolated
    /// (FAULT) and does not claim the VIPs.
    public struct Witness: Codable, Sendable, Equatable {
        public var address: String
        /// The witness answered the last probe round.
        public var reachable: Bool
        /// The peer was reached in the last round (echo, advert or peer link).
        public var peerReachable: Bool
        /// Neither was reached for `fall` rounds: the instance is in FAULT.
        public var isolated: Bool

        public init(address: String, reachable: Bool, peerReachable: Bool, isolated: Bool) {
            self.address = address
            self.reachable = reachable
            self.peerReachable = peerReachable
            self.isolated = isolated
        }

        enum CodingKeys: String, CodingKey {
            case address, reachable, isolated
            case peerReachable = "peer_reachable"
        }
    }

    /// RFC 9568 §6.4 states (INIT is "Initialize"); FAULT is keepalived's state for an instance
    /// whose tracked interface/script/proxy failed.
    public enum VRRPState: String, Codable, Sendable, Equatable, CaseIterable {
        case initialize = "INIT"
        case backup = "BACKUP"
        case master = "MASTER"
        case fault = "FAULT"
    }

    /// One tracked thing of an instance (keepalived's `track_script`, `track_interface`,
    /// `track_file`, hactl's proxy tracking, or the `vrrp_sync_group`).
    public struct Term: Codable, Sendable, Equatable {
        /// The tracked thing's name (script name, interface, file path, `proxy`, group name).
        public var name: String
        public var kind: TermKind
        /// Its current value as the operator would say it: `up`, `down`, `exit 1`, `+10`, ...
        public var value: String
        /// Whether this term forces the instance into FAULT right now.
        public var fault: Bool

        public init(name: String, kind: TermKind, value: String, fault: Bool = false) {
            self.name = name
            self.kind = kind
            self.value = value
            self.fault = fault
        }
    }

    /// What a `Term` tracks.
    public enum TermKind: String, Codable, Sendable, Equatable {
        case script
        case interface
        case file
        case proxy
        case syncGroup = "sync_group"
        /// hactl's `vrrp_witness` isolation verdict.
        case witness
    }

    /// The master this node hears (RFC 9568 §6.4.2: a backup tracks the master's adverts).
    public struct MasterSeen: Codable, Sendable, Equatable {
        /// The master's primary address (the advert's source).
        public var address: String
        /// The priority in its last advertisement.
        public var priority: Int

        public init(address: String, priority: Int) {
            self.address = address
            self.priority = priority
        }
    }

    /// Advertisement counters since start.
    public struct Adverts: Codable, Sendable, Equatable {
        public var sent: Int
        public var received: Int
        /// Received adverts dropped, by rejection reason (`ttl`, `bad_checksum`, `auth`, ...).
        public var dropped: [String: Int]

        public init(sent: Int = 0, received: Int = 0, dropped: [String: Int] = [:]) {
            self.sent = sent
            self.received = received
            self.dropped = dropped
        }
    }

    /// One state change of an instance.
    public struct Transition: Codable, Sendable, Equatable {
        public var from: VRRPState
        public var to: VRRPState
        /// Why, in the operator's words (`higher priority advert from 10.0.0.2`, `track_script chk failed`).
        public var reason: String
        /// When, in milliseconds since the Unix epoch.
        public var at: Int64

        public init(from: VRRPState, to: VRRPState, reason: String, at: Int64) {
            self.from = from
            self.to = to
            self.reason = reason
            self.at = at
        }
    }
}

// MARK: - Proxy

extension StatusReport {
    /// The embedded proxy as its supervisor and liveness probe see it.
    public struct ProxyStatus: Codable, Sendable, Equatable {
        /// Whether the liveness probe passes and the proxy service runs.
        public var up: Bool
        /// Why it is in that state (`probe ok`, `probe failed 3 times: connection refused`).
        public var reason: String
        /// The last liveness probe's round trip in milliseconds; absent before the first probe.
        public var probeLatencyMs: Double?
        /// How many times the supervisor restarted the proxy since start.
        public var restarts: Int

        public init(up: Bool, reason: String, probeLatencyMs: Double? = nil, restarts: Int = 0) {
            self.up = up
            self.reason = reason
            self.probeLatencyMs = probeLatencyMs
            self.restarts = restarts
        }

        enum CodingKeys: String, CodingKey {
            case up, reason, restarts
            case probeLatencyMs = "probe_latency_ms"
        }
    }

    /// A proxy frontend (`frontend` / `listen` section).
    public struct Frontend: Codable, Sendable, Equatable {
        public var name: String
        public var state: FrontendState
        /// Client sessions open now (HAProxy `scur`).
        public var currentSessions: Int
        /// Client sessions since start (HAProxy `stot`).
        public var totalSessions: Int
        /// Bytes, denials, errors and responses (the stats page's and the exporter's columns);
        /// absent in reports from before they were kept.
        public var traffic: Traffic?

        public init(name: String, state: FrontendState, currentSessions: Int = 0, totalSessions: Int = 0, traffic: Traffic? = nil) {
            self.name = name
            self.state = state
            self.currentSessions = currentSessions
            self.totalSessions = totalSessions
            self.traffic = traffic
        }

        enum CodingKeys: String, CodingKey {
            case name, state, traffic
            case currentSessions = "current_sessions"
            case totalSessions = "total_sessions"
        }
    }

    /// Whether a frontend accepts connections (HAProxy's `status` column for FRONTEND rows).
    public enum FrontendState: String, Codable, Sendable, Equatable {
        case open = "OPEN"
        case stop = "STOP"
    }

    /// A proxy backend and its servers.
    public struct Backend: Codable, Sendable, Equatable {
        public var name: String
        /// `UP` while at least one server can take traffic.
        public var state: BackendState
        public var servers: [Server]
        /// The backend's own counters (sessions, bytes, queue, errors, responses).
        public var traffic: Traffic?

        public init(name: String, state: BackendState, servers: [Server] = [], traffic: Traffic? = nil) {
            self.name = name
            self.state = state
            self.servers = servers
            self.traffic = traffic
        }
    }

    public enum BackendState: String, Codable, Sendable, Equatable {
        case up = "UP"
        case down = "DOWN"
    }

    /// One `server` line of a backend.
    public struct Server: Codable, Sendable, Equatable {
        public var name: String
        /// `address:port` as configured (IPv6 in brackets).
        public var address: String
        /// The operational state (HAProxy's `status` column).
        public var state: ServerState
        /// The last health check's outcome; absent when the server has no `check`.
        public var check: Check?
        /// The current weight (0...256).
        public var weight: Int
        /// The administrative state an operator set (`set server B/S state ...`).
        public var admin: ServerAdmin
        /// Sessions open now (HAProxy `scur`).
        public var currentSessions: Int
        /// Sessions since start (HAProxy `stot`).
        public var totalSessions: Int
        /// Requests queued for this server under `maxconn` (HAProxy `qcur`).
        public var queue: Int
        /// HTTP responses by status class.
        public var responses: Responses
        /// Connection and response errors since start.
        public var errors: Int
        /// Seconds since the state last changed (HAProxy `lastchg`).
        public var lastChangeSecondsAgo: Int
        /// Bytes, retries and errors by kind.
        public var traffic: Traffic?

        public init(
            name: String, address: String, state: ServerState, check: Check? = nil, weight: Int = 1,
            admin: ServerAdmin = .ready, currentSessions: Int = 0, totalSessions: Int = 0, queue: Int = 0,
            responses: Responses = Responses(), errors: Int = 0, lastChangeSecondsAgo: Int = 0, traffic: Traffic? = nil
        ) {
            self.name = name
            self.address = address
            self.state = state
            self.check = check
            self.weight = weight
            self.admin = admin
            self.currentSessions = currentSessions
            self.totalSessions = totalSessions
            self.queue = queue
            self.responses = responses
            self.errors = errors
            self.lastChangeSecondsAgo = lastChangeSecondsAgo
            self.traffic = traffic
        }

        enum CodingKeys: String, CodingKey {
            case name, address, state, check, weight, admin, queue, responses, errors, traffic
            case currentSessions = "current_sessions"
            case totalSessions = "total_sessions"
            case lastChangeSecondsAgo = "last_change_s_ago"
        }
    }

    /// A server's operational state, in HAProxy's vocabulary.
    public enum ServerState: String, Codable, Sendable, Equatable {
        case up = "UP"
        case down = "DOWN"
        /// Administratively in maintenance: takes no traffic.
        case maint = "MAINT"
        /// Draining: keeps its sessions (and persistent clients), gets no new ones.
        case drain = "DRAIN"
        /// Up but with weight 0: takes no load-balanced traffic.
        case nolb = "NOLB"
    }

    /// The administrative state (`set server B/S state ready|drain|maint`).
    public enum ServerAdmin: String, Codable, Sendable, Equatable {
        case ready, drain, maint
    }

    /// A health check's last outcome.
    public struct Check: Codable, Sendable, Equatable {
        /// `passed` or `failed`, or a more precise word the proxy has (`L4CON`, `L7STS`).
        public var result: String
        /// The detail the operator needs (`connection refused`, `HTTP status 503`).
        public var reason: String

        public init(result: String, reason: String) {
            self.result = result
            self.reason = reason
        }
    }

    /// HAProxy's traffic columns for one frontend, backend or server (`show stat`: `bin`, `bout`,
    /// `dreq`, `ereq`, `econ`, `eresp`, `wretr`, `wredis`, `qcur`, `qmax`, `hrsp_*`), added up
    /// over the event loops when the report is made.
    public struct Traffic: Codable, Sendable, Equatable {
        public var currentSessions: Int
        public var totalSessions: Int
        public var bytesIn: Int
        public var bytesOut: Int
        public var denied: Int
        public var requestErrors: Int
        public var connectionErrors: Int
        public var responseErrors: Int
        public var retries: Int
        public var redispatches: Int
        public var queue: Int
        public var queueMax: Int
        public var responses: Responses

        public init(currentSessions: Int = 0, totalSessions: Int = 0, bytesIn: Int = 0, bytesOut: Int = 0, denied: Int = 0,
                    requestErrors: Int = 0, connectionErrors: Int = 0, responseErrors: Int = 0, retries: Int = 0,
                    redispatches: Int = 0, queue: Int = 0, queueMax: Int = 0, responses: Responses = Responses()) {
            self.currentSessions = currentSessions
            self.totalSessions = totalSessions
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.denied = denied
            self.requestErrors = requestErrors
            self.connectionErrors = connectionErrors
            self.responseErrors = responseErrors
            self.retries = retries
            self.redispatches = redispatches
            self.queue = queue
            self.queueMax = queueMax
            self.responses = responses
        }

        enum CodingKeys: String, CodingKey {
            case denied, retries, redispatches, queue, responses
            case currentSessions = "current_sessions"
            case totalSessions = "total_sessions"
            case bytesIn = "bytes_in"
            case bytesOut = "bytes_out"
            case requestErrors = "request_errors"
            case connectionErrors = "connection_errors"
            case responseErrors = "response_errors"
            case queueMax = "queue_max"
        }
    }

    /// HTTP responses by status class (HAProxy `hrsp_1xx` ... `hrsp_other`).
    public struct Responses: Codable, Sendable, Equatable {
        public var informational: Int
        public var success: Int
        public var redirection: Int
        public var clientError: Int
        public var serverError: Int
        public var other: Int

        public init(informational: Int = 0, success: Int = 0, redirection: Int = 0, clientError: Int = 0, serverError: Int = 0, other: Int = 0) {
            self.informational = informational
            self.success = success
            self.redirection = redirection
            self.clientError = clientError
            self.serverError = serverError
            self.other = other
        }

        enum CodingKeys: String, CodingKey {
            case informational = "1xx"
            case success = "2xx"
            case redirection = "3xx"
            case clientError = "4xx"
            case serverError = "5xx"
            case other
        }
    }
}
