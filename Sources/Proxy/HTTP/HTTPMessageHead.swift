/// An HTTP/1.x request head (RFC 9112 §3): request line and header section.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method token, case-sensitive (RFC 9110 §9.1).
    public var method: String
    /// The request-target as received (RFC 9112 §3.2).
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var fields: HTTPFields

    public init(method: String, target: String, minorVersion: Int = 1, fields: HTTPFields = HTTPFields()) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.fields = fields
    }

    /// The path part of the target (without query), for ACLs: `path`, `path_beg`...
    public var path: Substring {
        var t = Substring(target)
        if !t.hasPrefix("/"), let scheme = t.firstRange(of: "://") {
            t = t[scheme.upperBound...]
            t = t.firstIndex(of: "/").map { t[$0...] } ?? "/"
        }
        if let q = t.firstIndex(of: "?") { return t[..<q] }
        return t
    }

    /// The query string after `?`, if any.
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }

    /// RFC 9110 §9.2.2: methods whose repetition has the same effect.
    public var isIdempotent: Bool {
        switch method {
        case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE": true
        default: false
        }
    }
}

/// An HTTP/1.x response head (RFC 9112 §4): status line and header section.
public struct HTTPResponseHead: Sendable, Hashable {
    public var minorVersion: Int
    public var status: Int
    public var reason: String
    public var fields: HTTPFields

    public init(minorVersion: Int = 1, status: Int, reason: String, fields: HTTPFields = HTTPFields()) {
        self.minorVersion = minorVersion
        self.status = status
        self.reason = reason
        self.fields = fields
    }
}
