public import HACore

/// HAProxy `frontend NAME` (or the accepting half of `listen NAME`): where clients connect and
/// how requests are routed to backends.
public struct Frontend: Sendable, Equatable, Hashable {
    public var name: String
    public var location: SourceLocation
    /// Made from a `listen` section (the printer prints it back as one).
    public var isListen: Bool
    /// `mode http|tcp` (HAProxy's default is tcp; hactl's `defaults` usually say http).
    public var mode: ProxyMode
    /// `bind` lines.
    public var binds: [Bind]
    /// `maxconn`: concurrent connections this frontend accepts.
    public var maxconn: Int?
    public var timeouts: Timeouts
    /// `option httplog`.
    public var httplog: Bool
    /// `option httplog clf`: the line in HAProxy's CLF variant (configuration manual §8.2.3).
    public var httplogCLF = false
    /// `option tcplog`.
    public var tcplog: Bool
    /// `option dontlognull`.
    public var dontlognull: Bool
    /// `option forwardfor`.
    public var forwardFor: ForwardFor?
    /// `option http-keep-alive|http-server-close|httpclose`.
    public var connectionMode: HTTPConnectionMode
    /// `acl` lines.
    public var acls: [ACL]
    /// `use_backend` lines, in order.
    public var useBackends: [UseBackendRule]
    /// `default_backend`.
    public var defaultBackend: String?
    /// Where `default_backend` was written (`nil` when implied by `listen`).
    public var defaultBackendLocation: SourceLocation?
    /// `http-request` and `redirect` lines, in order.
    public var httpRequestRules: [HTTPRequestRule]
    /// `http-response` lines, in order (run after the backend's).
    public var httpResponseRules: [HTTPResponseRule] = []
    /// `http-after-response` lines, in order (run after the backend's).
    public var httpAfterResponseRules: [HTTPResponseRule] = []
    /// `log-tag NAME`: the tag of this frontend's syslog headers, instead of the global one.
    public var logTag: String?
    /// `log-format FMT`: replaces the httplog line (mode http).
    public var logFormat: LogFormat?
    /// `unique-id-format FMT`: the request's `%ID`, made when the request head is in.
    public var uniqueIDFormat: LogFormat?
    /// `unique-id-header NAME`: the header that carries `%ID` to the server.
    public var uniqueIDHeader: String?
    /// `log global` (use the global targets) — on unless `no log`.
    public var logGlobal: Bool
    /// `log` lines of this proxy.
    public var logTargets: [LogTarget]
    /// `errorfile CODE PATH`.
    public var errorFiles: [Int: String]
    /// `monitor-uri URI`: requests for it are answered by the proxy (200, or 503 when a
    /// `monitor fail` condition says so), never forwarded and never logged.
    public var monitorURI: String?
    /// `monitor fail if|unless COND` lines; the monitor answers 503 when any holds.
    public var monitorFail: [Condition]
    /// `stats enable|uri|realm|auth|refresh|admin|hide-version`: the statistics page this frontend serves.
    public var stats: StatsPage?
    /// `prometheus-uri PATH` (hactl's shorthand for `http-request use-service prometheus-exporter
    /// if { path PATH }`): the proxy answers the metrics itself, before any `http-request` rule.
    public var prometheusURI: String?
    /// `capture request header NAME len N` and `capture response header NAME len N`, in order.
    public var captures: [HeaderCapture] = []
    /// `option http-buffer-request`: the request body is waited for (up to `tune.bufsize`)
    /// before the server is chosen.
    public var bufferRequest = false
    /// `compression algo|type|offload` set in this frontend (or its defaults).
    public var compression: HTTPCompression?

    public init(
        name: String,
        location: SourceLocation = .builtIn,
        isListen: Bool = false,
        mode: ProxyMode = .tcp,
        binds: [Bind] = [],
        maxconn: Int? = nil,
        timeouts: Timeouts = Timeouts(),
        httplog: Bool = false,
        tcplog: Bool = false,
        dontlognull: Bool = false,
        forwardFor: ForwardFor? = nil,
        connectionMode: HTTPConnectionMode = .keepAlive,
        acls: [ACL] = [],
        useBackends: [UseBackendRule] = [],
        defaultBackend: String? = nil,
        httpRequestRules: [HTTPRequestRule] = [],
        logGlobal: Bool = false,
        logTargets: [LogTarget] = [],
        errorFiles: [Int: String] = [:],
        monitorURI: String? = nil,
        monitorFail: [Condition] = []
    ) {
        self.name = name
        self.location = location
        self.isListen = isListen
        self.mode = mode
        self.binds = binds
        self.maxconn = maxconn
        self.timeouts = timeouts
        self.httplog = httplog
        self.tcplog = tcplog
        self.dontlognull = dontlognull
        self.forwardFor = forwardFor
        self.connectionMode = connectionMode
        self.acls = acls
        self.useBackends = useBackends
        self.defaultBackend = defaultBackend
        self.httpRequestRules = httpRequestRules
        self.logGlobal = logGlobal
        self.logTargets = logTargets
        self.errorFiles = errorFiles
        self.monitorURI = monitorURI
        self.monitorFail = monitorFail
    }

    /// The `acl` called `name`.
    public func acl(named name: String) -> ACL? {
        acls.first { $0.name == name }
    }
}

/// HAProxy `capture request|response header NAME len N`: the last occurrence of a header,
/// cut to N characters, logged between braces in the `option httplog` line.
public struct HeaderCapture: Sendable, Equatable, Hashable {
    public enum Direction: String, Sendable, Equatable, Hashable {
        case request, response
    }

    public var direction: Direction
    public var name: String
    public var length: Int
    public var location: SourceLocation

    public init(direction: Direction, name: String, length: Int, location: SourceLocation = .builtIn) {
        self.direction = direction
        self.name = name
        self.length = length
        self.location = location
    }
}

/// HAProxy `bind [ADDRESS]:PORT [ssl crt PATH] [OPTIONS]`.
public struct Bind: Sendable, Equatable, Hashable {
    /// The address to listen on; `nil` for any (`*:80`, `:80`).
    public var host: String?
    public var port: Int
    /// `ssl`: terminate TLS on this listener.
    public var ssl: Bool
    /// `crt PATH`: a PEM file or a directory of them.
    public var certificatePath: String?
    /// `crt-list FILE`: the file's path and its lines, read when the configuration is parsed
    /// (served after any `crt` certificates; the first certificate of the bind is the default).
    public var certificateListPath: String?
    public var certificateList: [CertificateListEntry] = []
    /// `alpn h2,http/1.1`.
    public var alpn: [String]
    /// `ssl-min-ver TLSv1.2` (as written; `ssl-default-bind-options` applies when nil).
    public var sslMinVer: String?
    /// `ssl-max-ver TLSv1.3`.
    public var sslMaxVer: String?
    /// `ciphers LIST`: TLS 1.2 and older, OpenSSL syntax (`ssl-default-bind-ciphers` when nil).
    public var ciphers: String?
    /// `ciphersuites LIST`: TLS 1.3 (`ssl-default-bind-ciphersuites` when nil).
    public var ciphersuites: String?
    /// `strict-sni`: refuse a handshake no certificate's name matches.
    public var strictSNI: Bool
    /// `verify none|optional|required`: client certificates (mTLS); nil = HAProxy's default, none.
    public var verify: String?
    /// `ca-file PATH`: the CAs client certificates must chain to (and that are named to clients).
    public var caFile: String?
    /// `crl-file PATH`: revoked client certificates (PEM CRLs of those CAs).
    public var crlFile: String?
    /// `no-tls-tickets`.
    public var noTLSTickets: Bool
    /// `tls-ticket-keys FILE`: session ticket keys (base64, one per line, 48 or 80 bytes each),
    /// shared by the nodes so a client resumes on either.
    public var ticketKeysFile: String?
    /// `transparent`: bind an address this node does not hold (needs IP_TRANSPARENT).
    public var transparent: Bool
    /// `v6only`.
    public var v6only: Bool
    /// `interface NAME`.
    public var interface: String?
    /// `name NAME`.
    public var name: String?
    public var location: SourceLocation

    public init(
        host: String? = nil,
        port: Int,
        ssl: Bool = false,
        certificatePath: String? = nil,
        alpn: [String] = [],
        sslMinVer: String? = nil,
        sslMaxVer: String? = nil,
        ciphers: String? = nil,
        ciphersuites: String? = nil,
        strictSNI: Bool = false,
        noTLSTickets: Bool = false,
        transparent: Bool = false,
        v6only: Bool = false,
        interface: String? = nil,
        name: String? = nil,
        location: SourceLocation = .builtIn
    ) {
        self.host = host
        self.port = port
        self.ssl = ssl
        self.certificatePath = certificatePath
        self.alpn = alpn
        self.sslMinVer = sslMinVer
        self.sslMaxVer = sslMaxVer
        self.ciphers = ciphers
        self.ciphersuites = ciphersuites
        self.strictSNI = strictSNI
        self.noTLSTickets = noTLSTickets
        self.ticketKeysFile = nil
        self.transparent = transparent
        self.v6only = v6only
        self.interface = interface
        self.name = name
        self.location = location
    }
}
