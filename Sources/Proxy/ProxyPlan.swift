package import NIOCore
package import TLS
package import HAConfig

/// The proxy's view of a configuration: frontends and backends resolved to what the
/// data path needs (indices instead of names, compiled ACLs, durations as `TimeAmount`).
///
/// Built once from `HAConfig.Configuration` (see `ProxyPlan+Configuration.swift`) and immutable
/// afterwards; every event loop reads the same plan.
package struct ProxyPlan: Sendable {
    package var maxconn: Int
    /// `nbthread`: event loops (0 = one per core).
    package var threads: Int
    /// `tune.bufsize`: the largest request or response head accepted.
    package var bufsize: Int
    /// `tune.http.maxhdr`: the most header lines of a message, its start line included.
    package var maxHeaderLines: Int = 101
    package var logTargets: [LogTarget]
    package var frontends: [FrontendPlan]
    package var backends: [BackendPlan]
    /// Keywords accepted with a narrower meaning than HAProxy's, each logged once at start.
    package var warnings: [String] = []
    /// What `hactl check` also prints at a line: certificates that have expired.
    package var configWarnings: [ConfigWarning] = []
    /// SHA-256 (hex) of every certificate, CA and key file the plan loaded, by path.
    package var fileDigests: [String: String] = [:]
    /// Every `stick-table`, in section order (a `stick` rule names one by index).
    package var stickTables: [StickTablePlan] = []

    package init(maxconn: Int = 4096, threads: Int = 0, bufsize: Int = 16384, logTargets: [LogTarget] = [],
                frontends: [FrontendPlan] = [], backends: [BackendPlan] = []) {
        self.maxconn = maxconn
        self.threads = threads
        self.bufsize = bufsize
        self.logTargets = logTargets
        self.frontends = frontends
        self.backends = backends
    }

    package func backendIndex(named name: String) -> Int? {
        backends.firstIndex { $0.name == name }
    }
}

/// HAProxy `mode http` / `mode tcp`.
package enum ProxyMode: Sendable, Hashable { case http, tcp }

/// HAProxy `option http-keep-alive` (default), `option http-server-close`, `option httpclose`.
package enum ConnectionMode: Sendable, Hashable { case keepAlive, serverClose, close }

/// HAProxy `timeout ...` values of one frontend or backend; nil = not set.
package struct TimeoutPlan: Sendable, Hashable {
    package var connect: TimeAmount?
    package var client: TimeAmount?
    package var server: TimeAmount?
    package var queue: TimeAmount?
    package var httpRequest: TimeAmount?
    package var httpKeepAlive: TimeAmount?
    package var clientFin: TimeAmount?
    package var serverFin: TimeAmount?
    package var tunnel: TimeAmount?
    package var check: TimeAmount?
    /// `timeout tarpit`.
    package var tarpit: TimeAmount?

    package init() {}
}

/// HAProxy `option forwardfor [except NET] [header NAME]`.
package struct ForwardForPlan: Sendable, Hashable {
    package var header: String
    package var except: CIDR?
    /// `if-none`: only when the request carries no such header.
    package var ifNone: Bool

    package init(header: String = "X-Forwarded-For", except: CIDR? = nil, ifNone: Bool = false) {
        self.header = header
        self.except = except
        self.ifNone = ifNone
    }
}

/// One `bind` line.
package struct BindPlan: Sendable, Hashable {
    /// nil or "*" = every address; IPv6 literals without brackets.
    package var host: String?
    package var port: Int
    /// `ssl crt ...`: TLS is terminated before the session, with this context (certificates loaded).
    package var tls: TLSServerContext?
    /// How the bind is named in log lines: its `name`, else its address.
    package var label: String

    package init(host: String?, port: Int, tls: TLSServerContext? = nil, label: String? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.label = label ?? "\(host ?? "*"):\(port)"
    }
}

/// A `frontend` (or the front half of a `listen`).
package struct FrontendPlan: Sendable {
    package var name: String
    package var mode: ProxyMode
    package var binds: [BindPlan]
    package var maxconn: Int
    package var timeouts: TimeoutPlan
    package var httplog: Bool
    /// `option httplog clf`: the httplog line in HAProxy's CLF variant.
    package var httplogCLF = false
    package var tcplog: Bool
    package var dontlognull: Bool
    package var forwardFor: ForwardForPlan?
    package var connectionMode: ConnectionMode
    package var routes: [RouteRule]
    package var defaultBackend: Int?
    package var requestRules: [HTTPRequestRule]
    /// Replacement responses by status (`errorfile`), complete HTTP messages.
    package var errorFiles: [Int: String]
    /// Where this frontend's log lines go (`log global` and its own `log` lines); nil = the
    /// plan's targets.
    package var logTargets: [LogTarget]?
    /// `monitor-uri` and `monitor fail`.
    package var monitor: MonitorPlan?
    /// `stats ...`: the statistics page this frontend answers itself.
    package var stats: StatsPlan?
    /// `prometheus-uri PATH`: the metrics, answered before any `http-request` rule.
    package var prometheusURI: String?
    /// `capture request header NAME len N`, in order.
    package var requestCaptures: [HeaderCapturePlan] = []
    /// `capture response header NAME len N`, in order.
    package var responseCaptures: [HeaderCapturePlan] = []
    /// `option http-buffer-request`: the body is in (or fills `tune.bufsize`) before a server is chosen.
    package var bufferRequest = false
    /// `compression ...` of the frontend; a backend's own settings take precedence.
    package var compression: CompressionPlan?
    /// `http-response` rules, run after the backend's.
    package var responseRules: [HTTPResponseRule] = []
    /// `log-format`: replaces the httplog line when set.
    package var logFormat: LogFormatString?
    /// `unique-id-format`: evaluated once per request, when its head is in.
    package var uniqueIDFormat: LogFormatString?
    /// `unique-id-header`: carries the id to the server.
    package var uniqueIDHeader: String?

    /// Whether each exchange is logged: `option httplog` or a `log-format`.
    var logsExchanges: Bool { httplog || logFormat != nil }
    /// `http-after-response` rules, run after the backend's, on every response including the proxy's own.
    package var afterResponseRules: [HTTPResponseRule] = []

    package init(name: String, mode: ProxyMode = .http, binds: [BindPlan], maxconn: Int = 4096,
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

/// HAProxy `monitor-uri URI` with its `monitor fail` conditions: the proxy answers requests for
/// the URI itself (200, or 503 when a condition holds) before any `http-request` rule, and
/// neither forwards nor logs them.
package struct MonitorPlan: Sendable {
    package var uri: String
    /// Any of them holding turns the answer into 503.
    package var fail: [Condition]

    package init(uri: String, fail: [Condition] = []) {
        self.uri = uri
        self.fail = fail
    }

    /// A URI starting with `/` is compared with the target from its path on (the query
    /// included), so an absolute-form target matches too; any other URI with the whole target.
    package func matches(_ target: String) -> Bool {
        guard uri.hasPrefix("/") else { return target == uri }
        var t = Substring(target)
        if !t.hasPrefix("/"), let scheme = t.firstRange(of: "://") {
            t = t[scheme.upperBound...]
            t = t.firstIndex(of: "/").map { t[$0...] } ?? ""
        }
        return t == uri
    }
}

/// `capture request|response header NAME len N`: the last occurrence of the header, cut to
/// `length` bytes, logged between braces (`{a|b}`) in the httplog line.
package struct HeaderCapturePlan: Sendable, Hashable {
    package var name: String
    package var length: Int

    package init(name: String, length: Int) {
        self.name = name
        self.length = length
    }

    /// The logged value: empty when the header is absent; `"`, `#`, `{`, `|`, `}`, control
    /// bytes and bytes above 0x7E written `#XX` (as HAProxy 2.6 logs them).
    package func capture(_ fields: HTTPFields) -> String {
        guard let value = fields.values(name).last else { return "" }
        var text = ""
        for byte in value.utf8.prefix(length) {
            switch byte {
            case 0x20...0x7E where !"\"#{|}".utf8.contains(byte):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                text += byte < 0x10 ? "#0\(hex)" : "#\(hex)"
            }
        }
        return text
    }
}

/// `use_backend NAME if|unless COND`.
package struct RouteRule: Sendable {
    package var backend: Int
    package var condition: Condition

    package init(backend: Int, condition: Condition) {
        self.backend = backend
        self.condition = condition
    }
}

/// A `backend` (or the back half of a `listen`).
package struct BackendPlan: Sendable {
    package var name: String
    package var mode: ProxyMode
    /// Where this backend's server UP/DOWN lines go (`log global` and its own `log` lines).
    package var logTargets: [LogTarget] = []
    package var balance: BalanceAlgorithm
    package var consistentHash: Bool
    /// `hash-type ... FUNCTION [avalanche]`; nil = HAProxy's default for the method.
    package var hasher: KeyHasher?
    /// `hash-balance-factor` (0 = off).
    package var hashBalanceFactor = 0
    package var servers: [ServerPlan]
    package var cookie: CookiePersistence?
    package var healthCheck: HTTPCheckPlan?
    package var retries: Int
    package var redispatch: Bool
    package var timeouts: TimeoutPlan
    package var connectionMode: ConnectionMode
    package var forwardFor: ForwardForPlan?
    /// `http-reuse never` disables the pool; `safe` (default) and above enable it.
    package var reuseConnections: Bool
    /// `option abortonclose`: a client that closes its side while its request waits for a
    /// server (queued or connecting) aborts the request.
    package var abortOnClose = false
    /// `option http-pretend-keepalive`: no `Connection: close` towards the server in
    /// `http-server-close` / `httpclose` mode (the connection is still closed after the response).
    package var pretendKeepAlive = false
    /// `http-request` rules of the backend, run after routing.
    package var requestRules: [HTTPRequestRule] = []
    /// `http-response` rules of the backend, run before the frontend's.
    package var responseRules: [HTTPResponseRule] = []
    /// `http-after-response` rules of the backend, run before the frontend's.
    package var afterResponseRules: [HTTPResponseRule] = []
    /// `stats ...` in a backend section: the page for requests routed here.
    package var stats: StatsPlan?
    /// `errorfile` of the backend, preferred over the frontend's.
    package var errorFiles: [Int: String] = [:]
    /// `option http-buffer-request`: the body is in (or fills `tune.bufsize`) before a server is chosen.
    package var bufferRequest = false
    /// `balance url_param NAME check_post`: the parameter is also looked up in a POST body
    /// (which is therefore waited for, as with `bufferRequest`).
    package var urlParamCheckPost = false
    /// `compression ...` of the backend.
    package var compression: CompressionPlan?
    /// `stick on|match|store-request` rules, in order.
    package var stickRules: [StickRulePlan] = []

    package init(name: String, mode: ProxyMode = .http, balance: BalanceAlgorithm = .roundRobin,
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
/// HAProxy's `server ... sni EXPRESSION`, the two forms hactl evaluates.
package enum ServerNameSource: Sendable, Hashable {
    /// `sni req.hdr(host)`: the request's Host, without its port.
    case requestHost
    /// `sni str(NAME)`.
    case constant(String)
}

package struct ServerPlan: Sendable {
    package var name: String
    package var host: String
    package var port: Int
    package var weight: Int
    /// 0 = unlimited.
    package var maxconn: Int
    package var check: Bool
    package var inter: TimeAmount
    package var fastinter: TimeAmount?
    package var downinter: TimeAmount?
    package var rise: Int
    package var fall: Int
    package var backup: Bool
    package var disabled: Bool
    package var cookie: String?
    package var slowstart: TimeAmount?
    package var observeLayer7: Bool
    /// `addr` / `port`: where health checks go instead of the server address.
    package var checkHost: String?
    package var checkPort: Int?
    /// `ssl`: traffic to the server is encrypted with this context.
    package var tls: TLSClientContext?
    /// `sni`: the server name sent in the ClientHello (and checked, with `verify required`).
    package var serverName: ServerNameSource?
    /// `verifyhost`: the name the certificate must carry instead of the SNI.
    package var verifyHost: String?
    /// Health checks over TLS: `check-ssl`, or `ssl` without `port`/`addr`.
    package var checkTLS: TLSClientContext?
    /// `check-sni`.
    package var checkServerName: String?

    package init(name: String, host: String, port: Int, weight: Int = 1, maxconn: Int = 0, check: Bool = false,
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
package struct HTTPCheckPlan: Sendable, Hashable {
    package var method: String
    package var uri: String
    package var version: String
    /// Extra header lines (`\r\nHost:\ www` in the version, or `http-check send hdr`).
    package var headers: [HTTPField]
    package var expect: HTTPCheckExpectation

    package init(method: String = "OPTIONS", uri: String = "/", version: String = "HTTP/1.0",
                headers: [HTTPField] = [], expect: HTTPCheckExpectation = .statusClass2xx3xx) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.expect = expect
    }
}

/// `http-check expect status N | rstatus RE | string S`; by default 2xx and 3xx pass.
package indirect enum HTTPCheckExpectation: Sendable, Hashable {
    case statusClass2xx3xx
    /// `status 200`, `status 200-399`, `status 200,301`.
    case status([ClosedRange<Int>])
    case statusPattern(RegexBox)
    case bodyContains(String)
    case bodyPattern(RegexBox)
    /// `http-check expect ! ...`.
    case not(HTTPCheckExpectation)
}
