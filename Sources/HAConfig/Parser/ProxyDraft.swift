import HACore

/// Everything a `defaults`, `frontend`, `backend` or `listen` section can set, collected while
/// parsing; a proxy starts as a copy of the `defaults` section it inherits from (HAProxy's rule:
/// the last `defaults` above it, or the one named with `from NAME`).
struct ProxyDraft {
    /// Which kind of section this is; decides which keywords are allowed.
    enum Kind: String {
        case defaults, frontend, backend, listen

        var acceptsFrontendKeywords: Bool { self != .backend }
        var acceptsBackendKeywords: Bool { self != .frontend }
    }

    var mode: ProxyMode = .tcp
    var binds: [Bind] = []
    var maxconn: Int?
    var timeouts = Timeouts()
    var httplog = false
    var httplogCLF = false
    var tcplog = false
    var dontlognull = false
    var forwardFor: ForwardFor?
    var connectionMode: HTTPConnectionMode = .keepAlive
    var acls: [ACL] = []
    /// Names of `acl` lines that had errors: references to them are not reported again.
    var failedACLNames: Set<String> = []
    var useBackends: [UseBackendRule] = []
    var defaultBackend: String?
    /// `default_backend` written in this very section (not inherited).
    var ownDefaultBackend: String?
    var defaultBackendLocation: SourceLocation?
    /// The `http-request` rules in file order, then the `redirect` rules in file order: HAProxy
    /// evaluates every `http-request` rule before any `redirect` rule, wherever each is written.
    var httpRequestRules: [HTTPRequestRule] = []
    /// How many of `httpRequestRules` come from `http-request` lines (the rest from `redirect`).
    var httpRequestLineCount = 0
    /// The first `redirect` line, for the warning when an `http-request` line follows it.
    var firstRedirectLocation: SourceLocation?
    var httpResponseRules: [HTTPResponseRule] = []
    var httpAfterResponseRules: [HTTPResponseRule] = []
    var logGlobal = false
    var logFormat: LogFormat?
    /// `log-tag NAME`: the syslog tag of this frontend's lines.
    var logTag: String?
    var uniqueIDFormat: LogFormat?
    var uniqueIDHeader: String?
    var logTargets: [LogTarget] = []
    var errorFiles: [Int: String] = [:]
    var monitorURI: String?
    var monitorFail: [Condition] = []
    var stats: StatsPage?
    var prometheusURI: String?
    var captures: [HeaderCapture] = []
    var balance: BalanceAlgorithm = .roundRobin
    var hashType: HashType = .mapBased
    var hashFunction: HashFunction?
    var hashAvalanche = false
    var hashBalanceFactor = 0
    var servers: [Server] = []
    /// `default-server`: the template every later `server` line starts from.
    var defaultServer = Server(name: "", host: "")
    var cookie: CookiePersistence?
    var healthCheck: HTTPCheck?
    /// `http-check` lines seen before or without `option httpchk`, checked when the section ends.
    var httpCheckLocation: SourceLocation?
    /// `option httpchk` is in force (set here or inherited).
    var httpCheckEnabled = false
    var retries = 3
    var redispatch = false
    var httpReuse: HTTPReuse = .safe
    var abortOnClose = false
    var pretendKeepAlive = false
    var fullconn: Int?
    var urlParamCheckPost = false
    var bufferRequest = false
    var compression: HTTPCompression?
    var stickTable: StickTable?
    var stickRules: [StickRule] = []

    /// The copy a new proxy starts from: settings inherit, lists of rules and servers do not.
    func inherited() -> ProxyDraft {
        var copy = self
        copy.binds = []
        copy.acls = []
        copy.failedACLNames = []
        copy.useBackends = []
        copy.httpRequestRules = []
        copy.httpRequestLineCount = 0
        copy.httpResponseRules = []
        copy.httpAfterResponseRules = []
        copy.firstRedirectLocation = nil
        copy.monitorFail = []
        copy.servers = []
        copy.ownDefaultBackend = nil
        copy.stickTable = nil
        copy.stickRules = []
        return copy
    }

    func frontend(name: String, location: SourceLocation, isListen: Bool) -> Frontend {
        var frontend = Frontend(
            name: name, location: location, isListen: isListen, mode: mode, binds: binds, maxconn: maxconn,
            timeouts: timeouts, httplog: httplog, tcplog: tcplog, dontlognull: dontlognull, forwardFor: forwardFor,
            connectionMode: connectionMode, acls: acls, useBackends: useBackends,
            defaultBackend: isListen ? (ownDefaultBackend ?? name) : defaultBackend,
            httpRequestRules: httpRequestRules, logGlobal: logGlobal, logTargets: logTargets, errorFiles: errorFiles,
            monitorURI: monitorURI, monitorFail: monitorFail
        )
        if !isListen || ownDefaultBackend != nil { frontend.defaultBackendLocation = defaultBackendLocation }
        frontend.captures = captures
        frontend.bufferRequest = bufferRequest
        frontend.compression = compression
        frontend.httpResponseRules = httpResponseRules
        frontend.logFormat = logFormat
        frontend.logTag = logTag
        frontend.httplogCLF = httplog && httplogCLF
        frontend.uniqueIDFormat = uniqueIDFormat
        frontend.uniqueIDHeader = uniqueIDHeader
        frontend.httpAfterResponseRules = httpAfterResponseRules
        frontend.stats = stats
        frontend.prometheusURI = prometheusURI
        return frontend
    }

    func backend(name: String, location: SourceLocation, isListen: Bool) -> Backend {
        var backend = Backend(
            name: name, location: location, isListen: isListen, mode: mode, balance: balance, hashType: hashType,
            hashFunction: hashFunction, hashAvalanche: hashAvalanche, hashBalanceFactor: hashBalanceFactor,
            servers: servers, cookie: cookie, healthCheck: healthCheck, retries: retries, redispatch: redispatch,
            timeouts: timeouts, forwardFor: forwardFor, connectionMode: connectionMode, httpReuse: httpReuse,
            abortOnClose: abortOnClose, pretendKeepAlive: pretendKeepAlive,
            acls: isListen ? [] : acls, httpRequestRules: isListen ? [] : httpRequestRules, errorFiles: errorFiles,
            logGlobal: logGlobal, logTargets: logTargets, fullconn: fullconn
        )
        backend.urlParamCheckPost = urlParamCheckPost
        backend.logTag = logTag
        backend.bufferRequest = bufferRequest
        backend.compression = compression
        backend.stickTable = stickTable.map { table in
            var named = table
            named.name = name
            return named
        }
        backend.stickRules = stickRules
        // A listen's rules are kept once, on its frontend half.
        if !isListen {
            backend.httpResponseRules = httpResponseRules
            backend.httpAfterResponseRules = httpAfterResponseRules
            // A listen's page is served by its frontend half.
            backend.stats = stats
        }
        return backend
    }
}
