public import HACore

/// HAProxy `server NAME ADDRESS[:PORT] [OPTIONS]` (and keepalived `real_server`).
public struct Server: Sendable, Equatable, Hashable {
    public var name: String
    public var location: SourceLocation
    /// An IPv4/IPv6 address or a host name to resolve at start.
    public var host: String
    /// The server port; `nil` means "the port the client connected to" (HAProxy).
    public var port: Int?
    /// `weight` 0–256 (default 1).
    public var weight: Int
    /// `maxconn`: concurrent requests sent to this server before queueing.
    public var maxconn: Int?
    /// `check`: health-check this server.
    public var check: Bool
    /// `inter` (default 2 s).
    public var inter: Duration
    /// `fastinter`: interval while changing state.
    public var fastinter: Duration?
    /// `downinter`: interval while down.
    public var downinter: Duration?
    /// `rise` (default 2).
    public var rise: Int
    /// `fall` (default 3).
    public var fall: Int
    /// `backup`: only used when no normal server is up.
    public var backup: Bool
    /// `disabled`: start in maintenance.
    public var disabled: Bool
    /// `cookie VALUE` for cookie persistence.
    public var cookie: String?
    /// `slowstart`.
    public var slowstart: Duration?
    /// `observe layer7`.
    public var observeLayer7: Bool
    /// `port`: send health checks to this port.
    public var checkPort: Int?
    /// `addr`: send health checks to this address.
    public var checkAddress: String?
    /// `ssl`: speak TLS to the server.
    public var ssl: Bool
    /// `verify none|required`.
    public var verify: String?
    /// `send-proxy`: PROXY protocol v1 header.
    public var sendProxy: Bool
    /// `check-ssl`.
    public var checkSSL: Bool
    /// `ca-file PATH`: the CAs a `verify required` server's chain must lead to (`ca-base` applied).
    public var caFile: String?
    /// `sni EXPRESSION`: the server name sent in the ClientHello, as written (`req.hdr(host)`,
    /// `str(NAME)`).
    public var sni: String?
    /// `alpn LIST`: protocols offered to the server.
    public var alpn: [String]
    /// `crt PATH`: a client certificate (PEM with its key) presented to the server (`crt-base` applied).
    public var crt: String?
    /// `verifyhost NAME`: the name the server's certificate must carry, whatever `sni` sends.
    public var verifyhost: String?
    /// `check-sni NAME`: the server name health checks send over TLS.
    public var checkSNI: String?
    /// `ciphers LIST` / `ciphersuites LIST`: offered to the server (TLS 1.2 / 1.3), over
    /// `ssl-default-server-ciphers` / `-ciphersuites`.
    public var ciphers: String?
    public var ciphersuites: String?
    /// `crl-file PATH`: CRLs the server's certificate chain is checked against (`ca-base` applied).
    public var crlFile: String?

    public init(
        name: String,
        location: SourceLocation = .builtIn,
        host: String,
        port: Int? = nil,
        weight: Int = 1,
        maxconn: Int? = nil,
        check: Bool = false,
        inter: Duration = .seconds(2),
        fastinter: Duration? = nil,
        downinter: Duration? = nil,
        rise: Int = 2,
        fall: Int = 3,
        backup: Bool = false,
        disabled: Bool = false,
        cookie: String? = nil,
        slowstart: Duration? = nil,
        observeLayer7: Bool = false,
        checkPort: Int? = nil,
        checkAddress: String? = nil,
        ssl: Bool = false,
        verify: String? = nil,
        sendProxy: Bool = false,
        checkSSL: Bool = false,
        caFile: String? = nil,
        sni: String? = nil,
        alpn: [String] = [],
        crt: String? = nil,
        verifyhost: String? = nil,
        checkSNI: String? = nil
    ) {
        self.name = name
        self.location = location
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
        self.checkPort = checkPort
        self.checkAddress = checkAddress
        self.ssl = ssl
        self.verify = verify
        self.sendProxy = sendProxy
        self.checkSSL = checkSSL
        self.caFile = caFile
        self.sni = sni
        self.alpn = alpn
        self.crt = crt
        self.verifyhost = verifyhost
        self.checkSNI = checkSNI
    }
}
