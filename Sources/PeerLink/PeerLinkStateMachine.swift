public import NIOCore

/// The peer channel's life as a pure value: connecting, handshaking, up, backoff. Inputs carry
/// the time; outputs are `Action`s for the shell (`PeerLink`), which owns the sockets and the one
/// timer. It never reads the clock, touches a socket or logs.
///
/// One side dials (`Role.dialer`, the peer whose name sorts first), the other accepts; each
/// connection has an id so events of a connection already given up are ignored. The channel is
/// up from the first authenticated connection until it closes: closed by the peer (FIN or RST:
/// its process may have died, `LossReason.closedByPeer`) or silent for `idleTimeout`
/// (`LossReason.silent`: a cut, a stopped process). Only the first tells the VRRP engine to check
/// for a crash; a silent channel changes nothing in VRRP.
public struct PeerLinkStateMachine: Sendable {
    public enum Role: Sendable, Equatable { case dialer, acceptor }
    public typealias ConnectionID = Int

    public struct Timing: Sendable, Equatable {
        /// How often an up channel sends a health report (and so proves it is alive).
        public var heartbeat: TimeAmount
        /// No frame for this long: the channel is lost (`silent`) and closed.
        public var idleTimeout: TimeAmount
        /// A connection not authenticated within this is closed.
        public var handshakeTimeout: TimeAmount
        /// Reconnect delays: first, doubling up to the maximum; reset once up.
        public var backoffInitial: TimeAmount
        public var backoffMaximum: TimeAmount

        public init(
            heartbeat: TimeAmount = .milliseconds(500), idleTimeout: TimeAmount = .seconds(2),
            handshakeTimeout: TimeAmount = .seconds(2), backoffInitial: TimeAmount = .milliseconds(100),
            backoffMaximum: TimeAmount = .seconds(2)
        ) {
            self.heartbeat = heartbeat
            self.idleTimeout = idleTimeout
            self.handshakeTimeout = handshakeTimeout
            self.backoffInitial = backoffInitial
            self.backoffMaximum = backoffMaximum
        }
    }

    public enum LossReason: Sendable, Equatable, CustomStringConvertible {
        /// FIN or RST from the peer (or a reset connection): its process may have died.
        case closedByPeer
        /// Nothing heard for `idleTimeout`.
        case silent

        public var description: String {
            switch self {
            case .closedByPeer: return "connection closed by the peer"
            case .silent: return "nothing heard from the peer"
            }
        }
    }

    public enum State: Sendable, Equatable {
        case idle
        case connecting(ConnectionID)
        case handshaking(ConnectionID)
        case up(ConnectionID)
        case backoff(until: NIODeadline)
        case stopped
    }

    public enum Action: Sendable, Equatable {
        case connect(ConnectionID)
        /// Send our HELLO on a new connection (the session's READY follows the peer's HELLO).
        case sendHello(ConnectionID)
        case sendHealth(ConnectionID)
        case close(ConnectionID)
        case armTimer(NIODeadline)
        /// The channel became up (first authenticated connection).
        case peerUp
        case peerLost(LossReason)
        /// Log the refusal of a connection (bad key, replay, unknown peer, ...).
        case logRefused(ConnectionID, reason: String)
    }

    public let role: Role
    public let timing: Timing
    public private(set) var state: State = .idle
    /// Connections accepted but not yet authenticated (acceptor), with their deadlines.
    var handshakes: [ConnectionID: NIODeadline] = [:]
    var dialDeadline: NIODeadline?
    var lastHeard: NIODeadline?
    var nextHeartbeat: NIODeadline?
    var failures = 0
    var nextID: ConnectionID = 1
    /// When the channel last went down (nil while up or never up).
    public private(set) var downSince: NIODeadline?
    public private(set) var upSince: NIODeadline?

    public init(role: Role, timing: Timing = Timing()) {
        self.role = role
        self.timing = timing
    }

    public var isUp: Bool { if case .up = state { return true } else { return false } }

    // MARK: Inputs

    public mutating func start(now: NIODeadline) -> [Action] {
        guard state == .idle, role == .dialer else { return [] }
        return dial(now: now)
    }

    /// An inbound connection was accepted (acceptor). Returns its id.
    public mutating func accepted(now: NIODeadline) -> (ConnectionID, [Action]) {
        let id = allocate()
        guard state != .stopped else { return (id, [.close(id)]) }
        if role == .dialer {
            return (id, [.logRefused(id, reason: "this node dials its peer; inbound connections are refused"), .close(id)])
        }
        handshakes[id] = now + timing.handshakeTimeout
        if !isUp { state = .handshaking(id) }
        return (id, [.sendHello(id), armTimer()])
    }

    /// The dialer's outbound connection is established.
    public mutating func connected(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        guard state == .connecting(id) else { return [.close(id)] }
        state = .handshaking(id)
        handshakes[id] = now + timing.handshakeTimeout
        dialDeadline = nil
        return [.sendHello(id), armTimer()]
    }

    public mutating func connectFailed(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        guard state == .connecting(id) else { return [] }
        dialDeadline = nil
        return backoff(now: now)
    }

    /// The peer's READY verified: the connection is authenticated.
    public mutating func authenticated(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        guard handshakes.removeValue(forKey: id) != nil else { return [.close(id)] }
        lastHeard = now
        nextHeartbeat = now + timing.heartbeat
        failures = 0
        if case .up(let old) = state {
            // The peer reconnected before we saw the old connection end: the new one replaces it.
            state = .up(id)
            return [.close(old), .sendHealth(id), armTimer()]
        }
        state = .up(id)
        upSince = now
        downSince = nil
        return [.peerUp, .sendHealth(id), armTimer()]
    }

    /// A frame verified on connection `id`.
    public mutating func frameReceived(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        if state == .up(id) { lastHeard = now }
        return []
    }

    /// A frame was refused: the connection is closed and the refusal logged.
    public mutating func refused(_ id: ConnectionID, reason: String, now: NIODeadline) -> [Action] {
        var actions: [Action] = [.logRefused(id, reason: reason), .close(id)]
        actions += closedLocally(id, now: now)
        return actions
    }

    /// Connection `id` was ended by the peer: its end of stream (FIN) or ECONNRESET, which is
    /// what the peer's kernel sends when its process dies. If it carried the up channel, the
    /// channel is lost with `.closedByPeer`: the VRRP engine opens the crash-takeover window.
    public mutating func closedByPeer(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        connectionEnded(id, loss: .closedByPeer, now: now)
    }

    /// Connection `id` failed on this side: an error of our own socket (ECONNABORTED after
    /// `ss -K`, a local timeout), not anything the peer sent. The peer's process may well be
    /// alive, so no `peerLost(.closedByPeer)`: the channel reconnects and VRRP is not told (a
    /// takeover here would make the backup flap to MASTER and back).
    public mutating func failedLocally(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        connectionEnded(id, loss: nil, now: now)
    }

    /// Connection `id` ended because we closed it (a refusal, a replaced connection).
    public mutating func closedLocally(_ id: ConnectionID, now: NIODeadline) -> [Action] {
        connectionEnded(id, loss: nil, now: now)
    }

    /// Connection `id` is closed: by the peer (`closedByPeer`) or not (`closedLocally`).
    public mutating func closed(_ id: ConnectionID, byPeer: Bool, now: NIODeadline) -> [Action] {
        byPeer ? closedByPeer(id, now: now) : closedLocally(id, now: now)
    }

    mutating func connectionEnded(_ id: ConnectionID, loss: LossReason?, now: NIODeadline) -> [Action] {
        handshakes[id] = nil
        switch state {
        case .up(id):
            upSince = nil
            downSince = now
            return (loss.map { [Action.peerLost($0)] } ?? []) + afterConnection(now: now)
        case .handshaking(id), .connecting(id):
            return afterConnection(now: now)
        default:
            return []
        }
    }

    /// The shell's timer fired.
    public mutating func timerFired(now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        for (id, deadline) in handshakes where deadline <= now {
            handshakes[id] = nil
            actions += [.logRefused(id, reason: "not authenticated within \(timing.handshakeTimeout)"), .close(id)]
            if state == .handshaking(id) { actions += afterConnection(now: now) }
        }
        switch state {
        case .backoff(let until) where until <= now:
            return actions + dial(now: now)
        case .connecting(let id) where (dialDeadline ?? now) <= now:
            dialDeadline = nil
            return actions + [.close(id)] + backoff(now: now)
        case .up(let id):
            if let heard = lastHeard, now - heard >= timing.idleTimeout {
                upSince = nil
                downSince = now
                return actions + [.close(id), .peerLost(.silent)] + afterConnection(now: now)
            }
            if let due = nextHeartbeat, due <= now {
                nextHeartbeat = now + timing.heartbeat
                actions.append(.sendHealth(id))
            }
        default:
            break
        }
        return actions + [armTimer()].filter { $0 != .armTimer(.distantFuture) }
    }

    public mutating func stop() -> [Action] {
        var actions: [Action] = handshakes.keys.sorted().map { .close($0) }
        handshakes = [:]
        switch state {
        case .up(let id), .connecting(let id): actions.append(.close(id))
        default: break
        }
        state = .stopped
        return actions
    }

    // MARK: Helpers

    mutating func allocate() -> ConnectionID {
        defer { nextID += 1 }
        return nextID
    }

    mutating func dial(now: NIODeadline) -> [Action] {
        let id = allocate()
        state = .connecting(id)
        dialDeadline = now + timing.handshakeTimeout
        return [.connect(id), armTimer()]
    }

    /// A dialer backs off and dials again; an acceptor waits for the next connection.
    mutating func afterConnection(now: NIODeadline) -> [Action] {
        guard role == .dialer else {
            state = handshakes.keys.min().map { .handshaking($0) } ?? .idle
            return []
        }
        return backoff(now: now)
    }

    mutating func backoff(now: NIODeadline) -> [Action] {
        let factor = Int64(1) << Int64(min(failures, 20))
        let delay = min(timing.backoffMaximum.nanoseconds, timing.backoffInitial.nanoseconds * factor)
        failures += 1
        let until = now + .nanoseconds(delay)
        state = .backoff(until: until)
        return [armTimer()]
    }

    /// The earliest deadline of the current state.
    func armTimer() -> Action {
        var deadlines = Array(handshakes.values)
        switch state {
        case .backoff(let until): deadlines.append(until)
        case .connecting: if let dialDeadline { deadlines.append(dialDeadline) }
        case .up:
            if let lastHeard { deadlines.append(lastHeard + timing.idleTimeout) }
            if let nextHeartbeat { deadlines.append(nextHeartbeat) }
        default: break
        }
        return .armTimer(deadlines.min() ?? .distantFuture)
    }
}
