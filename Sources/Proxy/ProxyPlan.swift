public import NIOCore

/// The proxy's view of a configuration: frontends and backends resolved to what the
/// data path needs (indices instead of names, compiled ACLs, durations as `TimeAmount`).
///
/// Built once from `HAConfig.Configuration` (see `ProxyPlan+Configuration.swift`) and immutable
/// afterwards; every event loop reads the same plan.
public struct ProxyPlan: Sendable {
    public var maxconn: Int
    /// `nbthread`: event loops (0 = one per core).
    public var threads: Int
    /// `tune.bufsize`: the largest request or response head accepted.
    public var bufsize: Int
    public var logTargets: [LogTarget]
    public var frontends: [FrontendPlan]
    public var backends: [BackendPlan]

    public init(maxconn: Int = 4096, threads: Int = 0, bufsize: Int = 16384, logTargets: [LogTarget] = [],
                frontends: [FrontendPlan] = [], backends: [BackendPlan] = []) {
        self.maxconn = maxconn
        self.threads = threads
        self.bufsize = bufsize
        self.logTargets = logTargets
        self.frontends = frontends
        self.backends = backends
    }

    public func backendIndex(named name: String) -> Int? {
        backends.firstIndex { $0.name == name }
    }
}

/// HAProxy `mode http` / `mode tcp`.
public enum ProxyMode: Sendable, Hashable { case http, tcp }

/// HAProxy `option http-keep-alive` (default), `option http-server-close`, `option httpclose`.
public enum ConnectionMode: Sendable, Hashable { case keepAlive, serverClose, close }

/// Where log lines go: HAProxy's `log stdout|stderr|/dev/log ...`.
public enum LogTarget: Sendable, Hashable {
    case stdout
    case stderr
    case syslogUnixSocket(path: String, facility: Int)
}

/// HAProxy `timeout ...` values of one frontend or backend; nil = not set.
public struct TimeoutPlan: Sendable, Hashable {
    public var connect: TimeAmount?
    public var client: TimeAmount?
    public var server: TimeAmount?
    public var queue: TimeAmount?
    public var httpRequest: TimeAmount?
    public var httpKeepAlive: TimeAmount?
    public var clientFin: TimeAmount?
    public var serverFin: TimeAmount?
    public var tunnel: TimeAmount?
    public var check: TimeAmount?

    public init() {}
}

/// HAProxy `option forwardfor [except NET] [header NAME]`.
public struct ForwardForPlan: Sendable, Hashable {
    public var header: String
    public var except: CIDR?

    public init(header: String = "X-Forwarded-For", except: CIDR? = nil) {
        self.header = header
        self.except = except
    }
}

/// One `bind` line.
public struct BindPlan: Sendable, Hashable {
    /// nil or "*" = every address; IPv6 literals without brackets.
    public var host: String?
    public var port: Int

    public init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }
}

/// A `frontend` (or the front half of a `listen`).
public struct FrontendPlan: Sendable {
    public var name: String
    public var mode: ProxyMode
    public var binds: [BindPlan]
    public var maxconn: Int
    public var timeouts: TimeoutPlan
    public var httplog: Bool
    public var tcplog: Bool
    public var dontlognull: Bool
    public var forwardFor: ForwardForPlan?
    public var connectionMode: ConnectionMode
    public var routes: [RouteRule]
    public var defaultBackend: Int?
    public var requestRules: [HTTPRequestRule]
    /// Replacement responses by status (`errorfile`), complete HTTP messages.
    public var errorFiles: [Int: String]

    public init(name: String, mode: ProxyMode = .http, binds: [BindPlan], maxconn: Int = 4096,
                timeouts: TimeoutPlan = TimeoutPlan(), httplog: Bool = false, tcplog: Bool = false,
                dontlognull: Bool = false, forwardFor: ForwardForPlan? = nil,
                connectionMode: ConnectionMode = .keepAlive, routes: [RouteRule] = [], defaultBackend: Int?,
                requestRules: [HTTPRequestRule] = [], errorFiles: [Int: String] = [:]) {
        self.name = name
        self.mode = mode
        self.binds = binds
        self.maxconn = maxconn
        self.timeouts = timeouts
        self.httplog = httplog
        self.tcplog = tcplog
        self.dontlognull = dontlognull
        self.forwardFor = forwardFor
        self.connectionMode = connectionMode
        self.routes = routes
        self.defaultBackend = defaultBackend
        self.requestRules = requestRules
        self.errorFiles = errorFiles
    }
}

/// `use_backend NAME if|unless COND`.
public struct RouteRule: Sendable {
    public var backend: Int
    public var condition: Condition

    public init(backend: Int, condition: Condition) {
        self.backend = backend
        self.condition = condition
    }
}

/// A `backend` (or the back half of a `listen`).
public struct BackendPlan: Sendable {
    public var name: String
    public var mode: ProxyMode
    public var balance: BalanceAlgorithm
    public var consistentHash: Bool
    public var servers: [ServerPlan]
    public var cookie: CookiePersistence?
    public var healthCheck: HTTPCheckPlan?
    public var retries: Int
    public var redispatch: Bool
    public var timeouts: TimeoutPlan
    public var connectionMode: ConnectionMode
    public var forwardFor: ForwardForPlan?
    /// `http-reuse never` disables the pool; `safe` (default) and above enable it.
    public var reuseConnections: Bool

    public init(name: String, mode: ProxyMode = .http, balance: BalanceAlgorithm = .roundRobin,
                consistentHash: Bool = false, servers: [ServerPlan], cookie: CookiePersistence? = nil,
                healthCheck: HTTPCheckPlan? = nil, retries: Int = 3, redispatch: Bool = false,
                timeouts: TimeoutPlan = TimeoutPlan(), connectionMode: ConnectionMode = .keepAlive,
                forwardFor: ForwardForPlan? = nil, reuseConnections: Bool = true) {
        self.name = name
        self.mode = mode
        self.balance = balance
        self.consistentHash = consistentHash
        self.servers = servers
        self.cookie = cookie
        self.healthCheck = healthCheck
        self.retries = retries
        self.redispatch = redispatch
        self.timeouts = timeouts
        self.connectionMode = connectionMode
        self.forwardFor = forwardFor
        self.reuseConnections = reuseConnections
    }
}

/// A `server` line.
public struct ServerPlan: Sendable {
    public var name: String
    public var host: String
    public var port: Int
    public var weight: Int
    /// 0 = unlimited.
    public var maxconn: Int
    public var check: Bool
    public var inter: TimeAmount
    public var fastinter: TimeAmount?
    public var downinter: TimeAmount?
    public var rise: Int
    public var fall: Int
    public var backup: Bool
    public var disabled: Bool
    public var cookie: String?
    public var slowstart: TimeAmount?
    public var observeLayer7: Bool

    public init(name: String, host: String, port: Int, weight: Int = 1, maxconn: Int = 0, check: Bool = false,
                inter: TimeAmount = .seconds(2), fastinter: TimeAmount? = nil, downinter: TimeAmount? = nil,
                rise: Int = 2, fall: Int = 3, backup: Bool = false, disabled: Bool = false, cookie: String? = nil,
                slowstart: TimeAmount? = nil, observeLayer7: Bool = false) {
        self.name = name
        self.host = host
        self.port = port
        self.weight = weight
        self.maxconn = maxconn
        self.check = check
        self.inter = inter
        self.fastinter = fastinter
        self.downinter = downinter
        self.rise = rise
        self.fall = fall
        self.backup = backup
        self.disabled = disabled
        self.cookie = cookie
        self.slowstart = slowstart
        self.observeLayer7 = observeLayer7
    }
}

/// `option httpchk [METHOD URI VERSION]` + `http-check send` / `http-check expect`.
public struct HTTPCheckPlan: Sendable, Hashable {
    public var method: String
    public var uri: String
    public var version: String
    /// Extra header lines (`\r\nHost:\ www` in the version, or `http-check send hdr`).
    public var headers: [HTTPField]
    public var expect: HTTPCheckExpectation

    public init(method: String = "OPTIONS", uri: String = "/", version: String = "HTTP/1.0",
                headers: [HTTPField] = [], expect: HTTPCheckExpectation = .statusClass2xx3xx) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.expect = expect
    }
}

/// `http-check expect status N | rstatus RE | string S`; by default 2xx and 3xx pass.
public enum HTTPCheckExpectation: Sendable, Hashable {
    case statusClass2xx3xx
    case status([Int])
    case statusPattern(String)
    case bodyContains(String)
}
