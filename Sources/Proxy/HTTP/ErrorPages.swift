import NIOCore

/// The responses the proxy itself produces (HAProxy's built-in error pages, replaced per
/// frontend by `errorfile CODE FILE`).
enum ErrorPages {
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Time-out"
        case 410: "Gone"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Time-out"
        default: "Error"
        }
    }

    static func message(_ status: Int) -> String {
        switch status {
        case 200: "The service is ready."
        case 400: "The request is malformed and was not forwarded."
        case 403: "Access to this resource is denied by the proxy's rules."
        case 408: "The request did not arrive completely in time."
        case 413: "This request may not carry a body."
        case 431: "The request header is larger than the proxy accepts."
        case 502: "The server sent an invalid or incomplete response."
        case 503: "No server is available to handle this request."
        case 504: "The server did not respond in time."
        default: "The proxy could not complete this request."
        }
    }

    /// A complete HTTP/1.1 response closing the connection.
    static func page(_ status: Int, overrides: [Int: String]) -> String {
        if let custom = overrides[status] { return custom }
        let reason = reason(status)
        let body = "<html><body><h1>\(status) \(reason)</h1>\n\(message(status))\n</body></html>\n"
        return "HTTP/1.1 \(status) \(reason)\r\ncontent-length: \(body.utf8.count)\r\ncache-control: no-cache\r\n"
            + "content-type: text/html\r\nconnection: close\r\n\r\n" + body
    }

    /// The answer to a `monitor-uri` request: keeps the connection unless `close`; `bodyless` for
    /// HEAD (the length still announced).
    static func monitorAnswer(_ status: Int, close: Bool, bodyless: Bool) -> String {
        let reason = reason(status)
        let body = "<html><body><h1>\(status) \(reason)</h1>\n\(message(status))\n</body></html>\n"
        return "HTTP/1.1 \(status) \(reason)\r\ncontent-length: \(body.utf8.count)\r\ncache-control: no-cache\r\n"
            + "content-type: text/html\r\n" + (close ? "connection: close\r\n" : "") + "\r\n" + (bodyless ? "" : body)
    }

    /// `http-request redirect`: an empty-bodied redirect that closes the connection.
    static func redirect(location: String, code: Int, cookie: String? = nil) -> String {
        "HTTP/1.1 \(code) \(reason(code))\r\ncontent-length: 0\r\nlocation: \(location)\r\n"
            + (cookie.map { "set-cookie: \($0)\r\n" } ?? "") + "cache-control: no-cache\r\nconnection: close\r\n\r\n"
    }
}
