package import NIOCore

/// The idle server connections of one event loop (HAProxy `http-reuse safe`).
///
/// Pure bookkeeping over connection identifiers: the shell owns the channels. A connection is
/// parked only after a complete response on a persistent connection; it is handed out again
/// to the same server, newest first; idle ones expire after `idleTimeout`; at most
/// `maxIdlePerServer` are kept.
package struct ConnectionPoolState: Sendable {
    package typealias ConnectionID = Int

    package enum AcquireAction: Sendable, Hashable {
        case reuse(ConnectionID)
        case connect
    }

    package enum ReleaseAction: Sendable, Hashable {
        case park
        case close(ConnectionID)
    }

    struct Idle: Sendable, Hashable {
        var id: ConnectionID
        var since: NIODeadline
    }

    package let maxIdlePerServer: Int
    package let idleTimeout: TimeAmount
    private var idle: [[Idle]]

    package init(servers: Int, maxIdlePerServer: Int = 64, idleTimeout: TimeAmount = .seconds(10)) {
        self.maxIdlePerServer = maxIdlePerServer
        self.idleTimeout = idleTimeout
        self.idle = Array(repeating: [], count: servers)
    }

    package func idleCount(server: Int) -> Int { idle[server].count }

    /// A request for `server`. `allowReuse` is false for a non-idempotent first request of a client
    /// (it must not risk a connection the server may be closing).
    package mutating func acquire(server: Int, allowReuse: Bool, now: NIODeadline) -> AcquireAction {
        guard allowReuse else { return .connect }
        while let last = idle[server].popLast() {
            if last.since + idleTimeout > now { return .reuse(last.id) }
        }
        return .connect
    }

    /// A connection finished a response. `reusable`: complete response, persistent on both ends.
    package mutating func release(_ id: ConnectionID, server: Int, reusable: Bool, now: NIODeadline) -> ReleaseAction {
        guard reusable, idle[server].count < maxIdlePerServer else { return .close(id) }
        idle[server].append(Idle(id: id, since: now))
        return .park
    }

    /// An idle connection closed or misbehaved: forget it.
    package mutating func remove(_ id: ConnectionID, server: Int) {
        idle[server].removeAll { $0.id == id }
    }

    /// Idle connections older than `idleTimeout` at `now`, removed from the pool; the shell closes them.
    package mutating func expire(now: NIODeadline) -> [ConnectionID] {
        var expired: [ConnectionID] = []
        for s in idle.indices {
            let cut = idle[s].partition { $0.since + idleTimeout > now }
            expired.append(contentsOf: idle[s][..<cut].map(\.id))
            idle[s].removeSubrange(..<cut)
        }
        return expired
    }
}
