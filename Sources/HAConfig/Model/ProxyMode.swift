/// HAProxy `mode http|tcp`: whether a proxy parses HTTP or relays bytes.
public enum ProxyMode: String, Sendable, Equatable, Hashable, CaseIterable {
    case http
    case tcp
}

/// HAProxy's HTTP connection-mode options: `option http-keep-alive` (the default),
/// `option http-server-close` and `option httpclose`.
public enum HTTPConnectionMode: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `option http-keep-alive`: keep both sides open between requests.
    case keepAlive = "http-keep-alive"
    /// `option http-server-close`: close the server side after each response.
    case serverClose = "http-server-close"
    /// `option httpclose`: close both sides after each response.
    case close = "httpclose"
}

/// HAProxy `http-reuse never|safe|aggressive|always`: sharing idle server connections.
public enum HTTPReuse: String, Sendable, Equatable, Hashable, CaseIterable {
    case never
    case safe
    case aggressive
    case always
}

/// HAProxy `option forwardfor [except NETWORK] [header NAME] [if-none]`.
public struct ForwardFor: Sendable, Equatable, Hashable {
    /// Clients from this network (`except 127.0.0.0/8`) get no header.
    public var exceptNetwork: String?
    /// The header to add (default `X-Forwarded-For`).
    public var headerName: String
    /// Only add the header if the request has none.
    public var ifNone: Bool

    public init(exceptNetwork: String? = nil, headerName: String = "X-Forwarded-For", ifNone: Bool = false) {
        self.exceptNetwork = exceptNetwork
        self.headerName = headerName
        self.ifNone = ifNone
    }
}
