import NIOCore
import Testing

@testable import PeerLink

/// Which end of a connection opens the VRRP crash-takeover window: only the peer's (its FIN or
/// ECONNRESET, what its kernel sends when its process dies), never an error of our own socket
/// (ECONNABORTED after `ss -K`), whose peer may well be alive. The shell only classifies.
@Suite struct PeerLinkConnectionEndTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func up(_ role: PeerLinkStateMachine.Role) -> (PeerLinkStateMachine, PeerLinkStateMachine.ConnectionID) {
        var machine = PeerLinkStateMachine(role: role)
        _ = machine.start(now: t0)
        let id: PeerLinkStateMachine.ConnectionID
        if role == .dialer {
            id = 1
            _ = machine.connected(id, now: t0)
        } else {
            id = machine.accepted(now: t0).0
        }
        _ = machine.authenticated(id, now: t0)
        return (machine, id)
    }

    @Test(arguments: [PeerLinkStateMachine.Role.dialer, .acceptor])
    func test_peerClosedAnUpChannel_reportsClosedByPeer(role: PeerLinkStateMachine.Role) {
        var (machine, id) = up(role)
        #expect(machine.closedByPeer(id, now: t0 + .seconds(1)).contains(.peerLost(.closedByPeer)))
        #expect(!machine.isUp)
        #expect(machine.downSince == t0 + .seconds(1))
    }

    @Test(arguments: [PeerLinkStateMachine.Role.dialer, .acceptor])
    func test_localSocketFailureOnAnUpChannel_reportsNoLoss_andReconnects(role: PeerLinkStateMachine.Role) {
        var (machine, id) = up(role)
        let now = t0 + .seconds(1)
        let actions = machine.failedLocally(id, now: now)
        #expect(!actions.contains { if case .peerLost = $0 { true } else { false } })
        #expect(!machine.isUp)
        if role == .dialer {
            #expect(actions == [.armTimer(now + .milliseconds(100))])
            #expect(machine.state == .backoff(until: now + .milliseconds(100)))
        } else {
            #expect(machine.state == .idle)
        }
    }

    @Test func test_theChannelInactiveAfterALocalFailure_changesNothingMore() {
        var (machine, id) = up(.dialer)
        _ = machine.failedLocally(id, now: t0 + .seconds(1))
        #expect(machine.closedByPeer(id, now: t0 + .seconds(1)) == [])
        #expect(machine.closedLocally(id, now: t0 + .seconds(1)) == [])
    }

    @Test func test_peerClosingAConnectionStillHandshaking_isNoLoss() {
        var machine = PeerLinkStateMachine(role: .dialer)
        _ = machine.start(now: t0)
        _ = machine.connected(1, now: t0)
        #expect(machine.closedByPeer(1, now: t0) == [.armTimer(t0 + .milliseconds(100))])
    }

    @Test func test_aReplacedConnectionClosedByThePeer_isNoLoss() {
        var (machine, first) = up(.acceptor)
        let (second, _) = machine.accepted(now: t0 + .seconds(1))
        _ = machine.authenticated(second, now: t0 + .seconds(1))
        #expect(machine.closedByPeer(first, now: t0 + .seconds(1)) == [])
        #expect(machine.isUp)
    }
}
