import NIOCore

/// HAProxy's `option httplog` line: client, accept date, frontend, backend/server,
/// Tq/Tw/Tc/Tr/Ta, status, bytes, captured cookies, termination state, connection counts,
/// queues and the request line.
struct HTTPLogLine {
    var client: String
    var acceptDate: String
    var frontend: String
    var backend: String
    var server: String
    /// Milliseconds; -1 when the step never happened.
    var tq: Int64, tw: Int64, tc: Int64, tr: Int64, ta: Int64
    var status: Int
    var bytes: Int
    var termination: String
    var activeSessions: Int
    var retries: Int
    var requestLine: String
    /// `capture request header` values; nil when the frontend captures none (no braces).
    var requestCaptures: [String]?
    /// `capture response header` values; nil when the frontend captures none.
    var responseCaptures: [String]?

    init(client: SocketAddress?, accepted: NIODeadline, frontend: String, backend: String, server: String,
         exchange: Exchange, now: NIODeadline, activeSessions: Int) {
        func ms(_ from: NIODeadline?, _ to: NIODeadline?) -> Int64 {
            guard let from, let to else { return -1 }
            return max((to - from).nanoseconds / 1_000_000, 0)
        }
        if let client, let ip = client.ipAddress, let port = client.port {
            self.client = "\(ip):\(port)"
        } else {
            self.client = "-"
        }
        self.acceptDate = Self.formatDate(accepted, now: now)
        self.frontend = frontend
        // No request: no backend was chosen and no step timed (HAProxy prints the frontend).
        let badRequest = exchange.requestLine == "<BADREQ>"
        self.backend = badRequest ? frontend : backend
        self.server = server
        tq = badRequest ? -1 : ms(exchange.requestStart, exchange.headReceived)
        tw = badRequest ? -1 : exchange.queueStart == nil ? 0 : ms(exchange.queueStart, exchange.queueEnd)
        tc = ms(exchange.connectStart, exchange.connected)
        tr = ms(exchange.connected, exchange.responseHeadAt)
        ta = ms(exchange.requestStart, now)
        status = exchange.responseStatus
        bytes = badRequest ? 0 : exchange.responseBytes
        termination = exchange.terminationState + "--"
        self.activeSessions = activeSessions
        retries = exchange.retriesUsed
        requestLine = exchange.requestLine
    }

    func formatted() -> String {
        var captures = ""
        if let requestCaptures { captures += "{" + requestCaptures.joined(separator: "|") + "} " }
        if let responseCaptures { captures += "{" + responseCaptures.joined(separator: "|") + "} " }
        return "\(client) [\(acceptDate)] \(frontend) \(backend)/\(server) \(tq)/\(tw)/\(tc)/\(tr)/\(ta) \(status) \(bytes) - - "
            + "\(termination) \(activeSessions)/\(activeSessions)/0/0/\(retries) 0/0 \(captures)\"\(requestLine)\""
    }

    /// `06/Feb/2009:12:14:14.655` in local time, derived from the wall clock now.
    static func formatDate(_ instant: NIODeadline, now: NIODeadline) -> String {
        LogDate.local(wallNanoseconds: LogDate.nowNanoseconds() - (now - instant).nanoseconds)
    }
}
