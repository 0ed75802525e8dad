import NIOCore

/// HAProxy's `option httplog` line: client, accept date, frontend, backend/server,
/// Tq/Tw/Tc/Tr/Ta, status, bytes, captured cookies, termination state, connection counts,
/// queues and the request line.
struct HTTPLogLine {
    var client: String
    /// `%ci` and `%cp` apart, for the CLF line (`-` and `0` without an IP client).
    var clientIP: String, clientPort: Int
    var acceptDate: String
    /// Wall-clock instants (nanoseconds since the epoch) of the accept and of the request's start.
    var acceptedWall: Int64, requestWall: Int64
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
            clientIP = ip
            clientPort = port
        } else {
            self.client = "-"
            clientIP = "-"
            clientPort = 0
        }
        let wallNow = LogDate.nowNanoseconds()
        acceptedWall = wallNow - (now - accepted).nanoseconds
        requestWall = wallNow - (now - exchange.requestStart).nanoseconds
        self.acceptDate = LogDate.local(wallNanoseconds: acceptedWall)
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
        bytes = badRequest ? 0 : exchange.bytesRead > 0 ? exchange.bytesRead : exchange.responseBytes
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

    /// HAProxy's `option httplog clf` line (configuration manual §8.2.3), the log-format
    /// `%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc
    /// %sc %rc %sq %bq %CC %CS %hrl %hsl`: strings quoted, numbers bare, each capture quoted on its
    /// own, and (as HAProxy's log-format does) no second blank where a variable printed nothing.
    func formattedCLF() -> String {
        func quoted(_ text: String) -> String { "\"" + text + "\"" }
        var text = "\(clientIP) - - [\(LogDate.gmt(wallNanoseconds: requestWall))] \(quoted(requestLine)) \(status) \(bytes) \"\" \"\" "
        let millis = Int((acceptedWall / 1_000_000) % 1000)
        text += "\(clientPort) \(millis < 10 ? "00" : millis < 100 ? "0" : "")\(millis) \(quoted(frontend)) \(quoted(backend)) \(quoted(server)) "
        text += "\(tq) \(tw) \(tc) \(tr) \(ta) \(termination) \(activeSessions) \(activeSessions) 0 0 \(retries) 0 0 \"\" \"\" "
        // A request that never parsed has no captures at all (HAProxy prints nothing, not `""`).
        let parsed = requestLine != "<BADREQ>"
        let requestList = parsed ? (requestCaptures ?? []).map(quoted).joined(separator: " ") : ""
        let responseList = parsed ? (responseCaptures ?? []).map(quoted).joined(separator: " ") : ""
        if !requestList.isEmpty { text += requestList + " " }
        text += responseList
        return text
    }

    /// `06/Feb/2009:12:14:14.655` in local time, derived from the wall clock now.
    static func formatDate(_ instant: NIODeadline, now: NIODeadline) -> String {
        LogDate.local(wallNanoseconds: LogDate.nowNanoseconds() - (now - instant).nanoseconds)
    }
}
