/// HAProxy `timeout ...` keywords; `nil` means not set (HAProxy then applies no limit, and warns
/// for connect/client/server).
public struct Timeouts: Sendable, Equatable, Hashable {
    /// `timeout connect`.
    public var connect: Duration?
    /// `timeout client`.
    public var client: Duration?
    /// `timeout server`.
    public var server: Duration?
    /// `timeout queue`.
    public var queue: Duration?
    /// `timeout http-request`.
    public var httpRequest: Duration?
    /// `timeout http-keep-alive`.
    public var httpKeepAlive: Duration?
    /// `timeout client-fin`.
    public var clientFin: Duration?
    /// `timeout server-fin`.
    public var serverFin: Duration?
    /// `timeout tunnel`.
    public var tunnel: Duration?
    /// `timeout check`.
    public var check: Duration?
    /// `timeout tarpit`: how long `http-request tarpit` holds a request (unset: `timeout connect`).
    public var tarpit: Duration?

    public init(
        connect: Duration? = nil,
        client: Duration? = nil,
        server: Duration? = nil,
        queue: Duration? = nil,
        httpRequest: Duration? = nil,
        httpKeepAlive: Duration? = nil,
        clientFin: Duration? = nil,
        serverFin: Duration? = nil,
        tunnel: Duration? = nil,
        check: Duration? = nil
    ) {
        self.connect = connect
        self.client = client
        self.server = server
        self.queue = queue
        self.httpRequest = httpRequest
        self.httpKeepAlive = httpKeepAlive
        self.clientFin = clientFin
        self.serverFin = serverFin
        self.tunnel = tunnel
        self.check = check
    }

    /// The HAProxy keyword of each timeout with its key path, in printing order.
    public static var keywords: [(keyword: String, keyPath: WritableKeyPath<Timeouts, Duration?>)] { [
        ("connect", \.connect), ("client", \.client), ("server", \.server), ("queue", \.queue),
        ("http-request", \.httpRequest), ("http-keep-alive", \.httpKeepAlive),
        ("client-fin", \.clientFin), ("server-fin", \.serverFin), ("tunnel", \.tunnel), ("check", \.check),
        ("tarpit", \.tarpit),
    ] }
}
