/// HAProxy's per-proxy and per-server statistics (the `show stat` columns hactl keeps):
/// sessions, bytes, responses by class, errors, retries, queue.
///
/// Plain integers owned by one event loop; `ProxyService.snapshot()` adds the loops' copies up.
public struct TrafficCounters: Sendable, Hashable {
    /// `scur`.
    public var currentSessions = 0
    /// `stot`.
    public var totalSessions = 0
    /// `bin` / `bout`.
    public var bytesIn = 0
    public var bytesOut = 0
    /// `hrsp_1xx` ... `hrsp_5xx`, `hrsp_other`.
    public var responses1xx = 0
    public var responses2xx = 0
    public var responses3xx = 0
    public var responses4xx = 0
    public var responses5xx = 0
    public var responsesOther = 0
    /// `ereq`: bad or timed-out requests.
    public var requestErrors = 0
    /// `econ`: failed connections to servers.
    public var connectionErrors = 0
    /// `eresp`: bad responses, server aborts.
    public var responseErrors = 0
    /// `wretr` / `wredis`.
    public var retries = 0
    public var redispatches = 0
    /// `dreq`: denied by `http-request deny`.
    public var denied = 0
    /// Frontends: TLS handshakes that failed (bad ClientHello, refused version, plain HTTP on
    /// a TLS port, strict-sni, timeout); such connections never become sessions.
    public var handshakeFailures = 0
    /// `qcur` / `qmax`.
    public var queueCurrent = 0
    public var queueMax = 0

    public init() {}

    mutating func countResponse(status: Int) {
        switch status {
        case 100..<200: responses1xx += 1
        case 200..<300: responses2xx += 1
        case 300..<400: responses3xx += 1
        case 400..<500: responses4xx += 1
        case 500..<600: responses5xx += 1
        default: responsesOther += 1
        }
    }

    /// Adds another loop's counters.
    public mutating func add(_ other: TrafficCounters) {
        currentSessions += other.currentSessions
        totalSessions += other.totalSessions
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        responses1xx += other.responses1xx
        responses2xx += other.responses2xx
        responses3xx += other.responses3xx
        responses4xx += other.responses4xx
        responses5xx += other.responses5xx
        responsesOther += other.responsesOther
        requestErrors += other.requestErrors
        connectionErrors += other.connectionErrors
        handshakeFailures += other.handshakeFailures
        responseErrors += other.responseErrors
        retries += other.retries
        redispatches += other.redispatches
        denied += other.denied
        queueCurrent += other.queueCurrent
        queueMax = max(queueMax, other.queueMax)
    }
}

/// A point-in-time view of every frontend, backend and server, for `hactl status`.
public struct ProxyStatistics: Sendable, Hashable {
    /// HAProxy's frontend `status`: OPEN, or STOP after `disable frontend`.
    public enum FrontendStatus: String, Sendable, Hashable {
        case open = "OPEN"
        case stop = "STOP"
    }

    /// HAProxy's server `status` column: the health checks' UP/DOWN, overridden by the admin
    /// state (MAINT), and DRAIN for a server UP that the balancer no longer picks (`drain`, or
    /// weight 0).
    public enum ServerStatus: String, Sendable, Hashable {
        case up = "UP"
        case down = "DOWN"
        case drain = "DRAIN"
        case maint = "MAINT"

        public init(up: Bool, admin: ServerAdminState, weight: Int) {
            if admin == .maint {
                self = .maint
            } else if !up {
                self = .down
            } else if admin == .drain || weight == 0 {
                self = .drain
            } else {
                self = .up
            }
        }
    }

    /// The last health check's outcome (HAProxy `check_status` / `check_desc`).
    public struct CheckResult: Sendable, Hashable {
        public var passed: Bool
        /// "Layer4 connection refused", "Layer7 check passed: 200" ...
        public var reason: String

        public init(passed: Bool, reason: String) {
            self.passed = passed
            self.reason = reason
        }
    }

    public struct Frontend: Sendable, Hashable {
        public var name: String
        public var counters: TrafficCounters
        public var status: FrontendStatus = .open
    }

    public struct Server: Sendable, Hashable {
        public var name: String
        /// Where traffic goes ("[IPv4]127.0.0.1/127.0.0.1:8080").
        public var address: String
        /// The health checks' view (UP after `rise` good checks); see `status` for the operator's.
        public var up: Bool
        public var status: ServerStatus
        public var adminState: ServerAdminState
        /// The weight the balancer uses now (`set weight`), and the configured one.
        public var weight: Int
        public var configuredWeight: Int
        public var checked: Bool
        /// The reason of the last health transition ("Layer4 connection refused").
        public var lastCheck: String
        /// The most recent check's outcome; nil before the first (or without `check`).
        public var lastCheckResult: CheckResult?
        public var activeConnections: Int
        /// Requests waiting for this server in particular (`qcur`); hactl queues per backend,
        /// so this stays 0 and the backend's `counters.queueCurrent` holds the queue.
        public var queueLength: Int
        /// Seconds since the last UP/DOWN or admin-state transition; nil when it never changed
        /// (HAProxy `lastchg`).
        public var secondsSinceLastChange: Int?
        /// Current/total sessions (`scur`/`stot`), responses by class, errors.
        public var counters: TrafficCounters
    }

    public struct Backend: Sendable, Hashable {
        public var name: String
        public var counters: TrafficCounters
        public var servers: [Server]
    }

    public var frontends: [Frontend]
    public var backends: [Backend]

    public init(frontends: [Frontend] = [], backends: [Backend] = []) {
        self.frontends = frontends
        self.backends = backends
    }
}

/// One loop's counters for every frontend, backend and server.
struct LoopCounters: Sendable {
    var frontends: [TrafficCounters]
    var backends: [TrafficCounters]
    var servers: [[TrafficCounters]]

    init(plan: ProxyPlan) {
        frontends = Array(repeating: TrafficCounters(), count: plan.frontends.count)
        backends = Array(repeating: TrafficCounters(), count: plan.backends.count)
        servers = plan.backends.map { Array(repeating: TrafficCounters(), count: $0.servers.count) }
    }

    mutating func add(_ other: LoopCounters) {
        for i in frontends.indices { frontends[i].add(other.frontends[i]) }
        for i in backends.indices { backends[i].add(other.backends[i]) }
        for i in servers.indices {
            for j in servers[i].indices { servers[i][j].add(other.servers[i][j]) }
        }
    }
}
