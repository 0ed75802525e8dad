public import HACore

/// HAProxy `backend NAME` (or the forwarding half of `listen NAME`): a pool of servers, how to
/// pick one, how to check them and how to keep a client on one.
public struct Backend: Sendable, Equatable, Hashable {
    public var name: String
    public var location: SourceLocation
    /// Made from a `listen` section (or a keepalived `virtual_server`).
    public var isListen: Bool
    public var mode: ProxyMode
    /// `balance` (HAProxy default roundrobin).
    public var balance: BalanceAlgorithm
    /// `hash-type map-based|consistent`.
    public var hashType: HashType
    /// `hash-type METHOD FUNCTION`: nil when no function is written (HAProxy then uses sdbm,
    /// with avalanche for `consistent`).
    public var hashFunction: HashFunction?
    /// `hash-type METHOD FUNCTION avalanche`.
    public var hashAvalanche: Bool
    /// `hash-balance-factor N`: bounded loads for consistent hashing and `balance random`, in
    /// percent of the average load; 0 (the default) disables it.
    public var hashBalanceFactor: Int
    /// `server` lines.
    public var servers: [Server]
    /// `cookie NAME insert|prefix|rewrite ...`.
    public var cookie: CookiePersistence?
    /// `option httpchk` and `http-check`; `nil` means plain TCP connect checks.
    public var healthCheck: HTTPCheck?
    /// `retries` (default 3).
    public var retries: Int
    /// `option redispatch`.
    public var redispatch: Bool
    public var timeouts: Timeouts
    /// `option forwardfor`.
    public var forwardFor: ForwardFor?
    /// `option http-keep-alive|http-server-close|httpclose`.
    public var connectionMode: HTTPConnectionMode
    /// `http-reuse` (default safe).
    public var httpReuse: HTTPReuse
    /// `option abortonclose`: a request whose client closed its side while it waits for a
    /// server (queued or connecting) is aborted instead of sent.
    public var abortOnClose: Bool
    /// `option http-pretend-keepalive`: with `http-server-close` or `httpclose`, the request to
    /// the server does not say `Connection: close`; the server connection is closed after the
    /// response all the same.
    public var pretendKeepAlive: Bool
    /// `acl` lines (usable by `http-request` rules here).
    public var acls: [ACL]
    /// `http-request` lines, in order.
    public var httpRequestRules: [HTTPRequestRule]
    /// `http-response` lines, in order.
    public var httpResponseRules: [HTTPResponseRule] = []
    /// `http-after-response` lines, in order.
    public var httpAfterResponseRules: [HTTPResponseRule] = []
    /// `errorfile CODE PATH`.
    public var errorFiles: [Int: String]
    /// `log global`.
    public var logGlobal: Bool
    /// `log` lines of this proxy.
    public var logTargets: [LogTarget]
    /// `log-tag NAME`: the tag of this backend's syslog lines (server UP/DOWN).
    public var logTag: String?
    /// `fullconn`.
    public var fullconn: Int?
    /// `balance url_param NAME check_post`: the parameter is also looked up in a form body.
    public var urlParamCheckPost = false
    /// `option http-buffer-request`: the request body is waited for (up to `tune.bufsize`)
    /// before the server is chosen.
    public var bufferRequest = false
    /// `compression algo|type|offload` set in this backend (or its defaults).
    public var compression: HTTPCompression?
    /// `stats ...` in a `backend` section: requests routed here for its `stats uri` get the statistics page.
    public var stats: StatsPage?
    /// `stick-table ...`: this section's table (for its own or other sections' `stick` rules).
    public var stickTable: StickTable?
    /// `stick on|match|store-request` lines, in order.
    public var stickRules: [StickRule] = []

    public init(
        name: String,
        location: SourceLocation = .builtIn,
        isListen: Bool = false,
        mode: ProxyMode = .tcp,
        balance: BalanceAlgorithm = .roundRobin,
        hashType: HashType = .mapBased,
        hashFunction: HashFunction? = nil,
        hashAvalanche: Bool = false,
        hashBalanceFactor: Int = 0,
        servers: [Server] = [],
        cookie: CookiePersistence? = nil,
        healthCheck: HTTPCheck? = nil,
        retries: Int = 3,
        redispatch: Bool = false,
        timeouts: Timeouts = Timeouts(),
        forwardFor: ForwardFor? = nil,
        connectionMode: HTTPConnectionMode = .keepAlive,
        httpReuse: HTTPReuse = .safe,
        abortOnClose: Bool = false,
        pretendKeepAlive: Bool = false,
        acls: [ACL] = [],
        httpRequestRules: [HTTPRequestRule] = [],
        errorFiles: [Int: String] = [:],
        logGlobal: Bool = false,
        logTargets: [LogTarget] = [],
        fullconn: Int? = nil
    ) {
        self.name = name
        self.location = location
        self.isListen = isListen
        self.mode = mode
        self.balance = balance
        self.hashType = hashType
        self.hashFunction = hashFunction
        self.hashAvalanche = hashAvalanche
        self.hashBalanceFactor = hashBalanceFactor
        self.servers = servers
        self.cookie = cookie
        self.healthCheck = healthCheck
        self.retries = retries
        self.redispatch = redispatch
        self.timeouts = timeouts
        self.forwardFor = forwardFor
        self.connectionMode = connectionMode
        self.httpReuse = httpReuse
        self.abortOnClose = abortOnClose
        self.pretendKeepAlive = pretendKeepAlive
        self.acls = acls
        self.httpRequestRules = httpRequestRules
        self.errorFiles = errorFiles
        self.logGlobal = logGlobal
        self.logTargets = logTargets
        self.fullconn = fullconn
    }

    /// The `server` called `name`.
    public func server(named name: String) -> Server? {
        servers.first { $0.name == name }
    }
}

/// HAProxy `balance ALGORITHM`.
public enum BalanceAlgorithm: Sendable, Equatable, Hashable {
    /// `roundrobin`: weighted, dynamic.
    case roundRobin
    /// `static-rr`.
    case staticRoundRobin
    /// `leastconn`.
    case leastConn
    /// `first`.
    case first
    /// `source`: hash of the client address.
    case source
    /// `uri [whole] [len N] [depth N] [path-only]`.
    case uri(URIHashKey)
    /// `url_param NAME`.
    case urlParam(String)
    /// `hdr(NAME)`.
    case header(String)
    /// `random` / `random(N)`: the least loaded of N weighted random draws (HAProxy default 2).
    case random(draws: Int)

    /// The HAProxy spelling (`static-rr`, `hdr(host)`).
    public var haproxyName: String {
        switch self {
        case .roundRobin: "roundrobin"
        case .staticRoundRobin: "static-rr"
        case .leastConn: "leastconn"
        case .first: "first"
        case .source: "source"
        case .uri(let key): (["uri"] + key.words).joined(separator: " ")
        case .urlParam(let name): "url_param \(name)"
        case .header(let name): "hdr(\(name))"
        case .random(let draws): draws == 2 ? "random" : "random(\(draws))"
        }
    }
}

/// The options of HAProxy `balance uri`: which part of the request target is hashed.
public struct URIHashKey: Sendable, Equatable, Hashable {
    /// `whole`: the query string too (by default the hash stops at `?`).
    public var whole: Bool
    /// `len N`: only the first N characters.
    public var length: Int?
    /// `depth N`: only the first N directory levels (one per `/`).
    public var depth: Int?
    /// `path-only`: start at the path's first `/`, skipping `scheme://authority` of an absolute URI.
    public var pathOnly: Bool

    public init(whole: Bool = false, length: Int? = nil, depth: Int? = nil, pathOnly: Bool = false) {
        self.whole = whole
        self.length = length
        self.depth = depth
        self.pathOnly = pathOnly
    }

    /// The words after `balance uri`, as HAProxy spells them.
    public var words: [String] {
        var words: [String] = []
        if whole { words.append("whole") }
        if let length { words += ["len", String(length)] }
        if let depth { words += ["depth", String(depth)] }
        if pathOnly { words.append("path-only") }
        return words
    }
}

/// HAProxy `hash-type map-based|consistent` for the hashing algorithms.
public enum HashType: String, Sendable, Equatable, Hashable {
    case mapBased = "map-based"
    case consistent
}

/// HAProxy `hash-type METHOD FUNCTION`: the hash function applied to the key.
public enum HashFunction: String, Sendable, Equatable, Hashable, CaseIterable {
    case sdbm
    case djb2
    case crc32
}

/// HAProxy `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve]
/// [httponly] [secure] [domain D]* [maxidle T] [maxlife T] [attr V]*`: cookie-based persistence.
public struct CookiePersistence: Sendable, Equatable, Hashable {
    /// How the server's identity travels in the cookie.
    public enum Mode: String, Sendable, Equatable, Hashable {
        /// No mode keyword: the server sets the cookie; hactl only reads it to pick the server.
        case passive
        case insert
        case prefix
        case rewrite
    }

    public var name: String
    public var mode: Mode
    public var indirect: Bool
    public var nocache: Bool
    public var preserve: Bool
    public var postonly: Bool
    public var httponly: Bool
    public var secure: Bool
    public var maxidle: Duration?
    public var maxlife: Duration?
    public var domains: [String]
    /// `attr VALUE`, repeatable: extra attributes of an inserted cookie (`SameSite=Strict`).
    public var attributes: [String]
    public var location: SourceLocation

    public init(
        name: String,
        mode: Mode = .passive,
        indirect: Bool = false,
        nocache: Bool = false,
        preserve: Bool = false,
        postonly: Bool = false,
        httponly: Bool = false,
        secure: Bool = false,
        maxidle: Duration? = nil,
        maxlife: Duration? = nil,
        domains: [String] = [],
        attributes: [String] = [],
        location: SourceLocation = .builtIn
    ) {
        self.name = name
        self.mode = mode
        self.indirect = indirect
        self.nocache = nocache
        self.preserve = preserve
        self.postonly = postonly
        self.httponly = httponly
        self.secure = secure
        self.maxidle = maxidle
        self.maxlife = maxlife
        self.domains = domains
        self.attributes = attributes
        self.location = location
    }
}
