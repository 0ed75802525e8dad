import NIOCore

/// HAProxy's `option tcplog` line: client, accept date, frontend, backend/server, Tw/Tc/Tt,
/// bytes sent to the client, termination state, connection counts and queues.
struct TCPLogLine {
    var client: SocketAddress?
    var accepted: NIODeadline
    var frontend: String
    var backend: String
    var server: String
    var connectStart: NIODeadline?
    var connected: NIODeadline?
    var bytes: Int
    var termination: String
    var activeSessions: Int
    var retries: Int

    func formatted(now: NIODeadline) -> String {
        func ms(_ from: NIODeadline?, _ to: NIODeadline?) -> Int64 {
            guard let from, let to else { return -1 }
            return max((to - from).nanoseconds / 1_000_000, 0)
        }
        let source: String
        if let client, let ip = client.ipAddress, let port = client.port { source = "\(ip):\(port)" } else { source = "-" }
        let date = HTTPLogLine.formatDate(accepted, now: now)
        return "\(source) [\(date)] \(frontend) \(backend)/\(server) 0/\(ms(connectStart, connected))/\(ms(accepted, now)) "
            + "\(bytes) \(termination) \(activeSessions)/\(activeSessions)/0/0/\(retries) 0/0"
    }
}
