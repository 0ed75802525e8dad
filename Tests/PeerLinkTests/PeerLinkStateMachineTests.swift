import NIOCore
import Testing

@testable import PeerLink

/// The peer channel's life on a virtual clock: connecting, handshaking, up, backoff.
@Suite struct PeerLinkStateMachineTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    typealias Action = PeerLinkStateMachine.Action

    func upDialer() -> PeerLinkStateMachine {
        var machine = PeerLinkStateMachine(role: .dialer)
        _ = machine.start(now: t0)
        _ = machine.connected(1, now: t0)
        _ = machine.authenticated(1, now: t0)
        return machine
    }

    @Test func test_dialerStart_connectsAndArmsTheConnectDeadline() {
        var machine = PeerLinkStateMachine(role: .dialer)
        #expect(machine.start(now: t0) == [.connect(1), .armTimer(t0 + .seconds(2))])
        #expect(machine.state == .connecting(1))
    }

    @Test func test_acceptorStart_waitsForTheDialer() {
        var machine = PeerLinkStateMachine(role: .acceptor)
        #expect(machine.start(now: t0) == [])
        let (id, actions) = machine.accepted(now: t0)
        #expect(actions == [.sendHello(id), .armTimer(t0 + .seconds(2))])
        #expect(machine.state == .handshaking(id))
    }

    @Test func test_connected_sendsHelloAndHandshakes() {
        var machine = PeerLinkStateMachine(role: .dialer)
        _ = machine.start(now: t0)
        #expect(machine.connected(1, now: t0) == [.sendHello(1), .armTimer(t0 + .seconds(2))])
        #expect(machine.state == .handshaking(1))
    }

    @Test func test_authenticated_bringsTheLinkUpAndSendsHealth() {
        var machine = PeerLinkStateMachine(role: .dialer)
        _ = machine.start(now: t0)
        _ = machine.connected(1, now: t0)
        #expect(machine.authenticated(1, now: t0) == [.peerUp, .sendHealth(1), .armTimer(t0 + .milliseconds(500))])
        #expect(machine.isUp)
    }

    @Test func test_closedByPeerWhileUp_reportsClosedByPeerAndBacksOff() {
        var machine = upDialer()
        let now = t0 + .seconds(1)
        #expect(machine.closed(1, byPeer: true, now: now) == [.peerLost(.closedByPeer), .armTimer(now + .milliseconds(100))])
        #expect(machine.state == .backoff(until: now + .milliseconds(100)))
    }

    @Test func test_closedByUsWhileUp_reportsNoCrash() {
        var machine = upDialer()
        #expect(!machine.closed(1, byPeer: false, now: t0).contains(.peerLost(.closedByPeer)))
    }

    @Test func test_silenceForTheIdleTimeout_closesAndReportsSilentNotClosed() {
        var machine = upDialer()
        let now = t0 + .seconds(2)
        let actions = machine.timerFired(now: now)
        #expect(actions.prefix(2) == [.close(1), .peerLost(.silent)])
        #expect(!actions.contains(.peerLost(.closedByPeer)))
    }

    @Test func test_framesKeepTheLinkUp_andHeartbeatsSendHealth() {
        var machine = upDialer()
        _ = machine.frameReceived(1, now: t0 + .milliseconds(1900))
        let actions = machine.timerFired(now: t0 + .seconds(2))
        #expect(actions == [.sendHealth(1), .armTimer(t0 + .milliseconds(2500))])
        #expect(machine.isUp)
    }

    @Test func test_backoff_doublesUpToTheMaximum_andResetsWhenUp() {
        var machine = PeerLinkStateMachine(role: .dialer)
        var now = t0
        _ = machine.start(now: now)
        var delays: [Int64] = []
        for attempt in 1...7 {
            _ = machine.connectFailed(attempt, now: now)
            guard case .backoff(let until) = machine.state else { Issue.record("not in backoff"); return }
            delays.append((until - now).nanoseconds / 1_000_000)
            now = until
            #expect(machine.timerFired(now: now).first == .connect(attempt + 1))
        }
        #expect(delays == [100, 200, 400, 800, 1600, 2000, 2000])
        _ = machine.connected(8, now: now)
        _ = machine.authenticated(8, now: now)
        _ = machine.closed(8, byPeer: true, now: now)
        #expect(machine.state == .backoff(until: now + .milliseconds(100)))
    }

    @Test func test_handshakeNotFinishedInTime_isRefusedAndClosed() {
        var machine = PeerLinkStateMachine(role: .acceptor)
        let (id, _) = machine.accepted(now: t0)
        let actions = machine.timerFired(now: t0 + .seconds(2))
        #expect(actions.contains(.close(id)))
        #expect(machine.state == .idle)
    }

    @Test func test_refusedConnection_isLoggedClosedAndTheDialerBacksOff() {
        var machine = PeerLinkStateMachine(role: .dialer)
        _ = machine.start(now: t0)
        _ = machine.connected(1, now: t0)
        let actions = machine.refused(1, reason: "authentication failed", now: t0)
        #expect(actions.prefix(2) == [.logRefused(1, reason: "authentication failed"), .close(1)])
        #expect(machine.state == .backoff(until: t0 + .milliseconds(100)))
        #expect(!actions.contains(.peerUp))
    }

    @Test func test_acceptorUp_newAuthenticatedConnectionReplacesTheOldWithoutALoss() {
        var machine = PeerLinkStateMachine(role: .acceptor)
        let (first, _) = machine.accepted(now: t0)
        _ = machine.authenticated(first, now: t0)
        let (second, _) = machine.accepted(now: t0 + .seconds(1))
        let actions = machine.authenticated(second, now: t0 + .seconds(1))
        #expect(actions.first == .close(first))
        #expect(!actions.contains(.peerUp) && machine.state == .up(second))
        #expect(machine.closed(first, byPeer: false, now: t0 + .seconds(1)) == [])
    }

    @Test func test_dialerRefusesInboundConnections() {
        var machine = PeerLinkStateMachine(role: .dialer)
        let (id, actions) = machine.accepted(now: t0)
        #expect(actions.last == .close(id))
    }
}
