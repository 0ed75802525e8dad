/// An HTTP/1.x request head (RFC 9112 §3): request line and header section.
package struct HTTPRequestHead: Sendable, Hashable {
    /// The method token, case-sensitive (RFC 9110 §9.1).
    package var method: String
    /// The request-target as received (RFC 9112 §3.2).
    package var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    package var fields: HTTPFields

    package init(method: String, target: String, minorVersion: Int = 1, fields: HTTPFields = HTTPFields()) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.fields = fields
    }

    /// The path part of the target (without query), for ACLs: `path`, `path_beg`...
    package var path: Substring {
        var t = Substring(target)
        if !t.hasPrefix("/"), let scheme = t.firstRange(of: "://") {
            t = t[scheme.upperBound...]
            t = t.firstIndex(of: "/").map { t[$0...] } ?? "/"
        }
        if let q = t.firstIndex(of: "?") { return t[..<q] }
        return t
    }

    /// The query string after `?`, if any.
    package var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }

    /// RFC 9110 §9.2.2: methods whose repetition has the same effect.
    package var isIdempotent: Bool {
        switch method {
        case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE": true
        default: false
        }
    }
}

/// An HTTP/1.x response head (RFC 9112 §4): status line and header section.
package struct HTTPResponseHead: Sendable, Hashable {
    package var minorVersion: Int
    package var status: Int
    package var reason: String
    package var fields: HTTPFields

    package init(minorVersion: Int = 1, status: Int, reason: String, fields: HTTPFields = HTTPFields()) {
        self.minorVersion = minorVersion
        self.status = status
        self.reason = reason
        self.fields = fields
    }
}
