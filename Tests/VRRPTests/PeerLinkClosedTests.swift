import NIOCore
import Netlink
import Testing

@testable import VRRP

/// hactl's crash shortcut: the peer channel closed (FIN/RST) and the master's adverts stopped.
@Suite struct PeerLinkClosedTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let me = IPAddress("198.18.0.11")!
    let peer = IPAddress("198.18.0.10")!
    let vip = IPAddress("198.18.0.100")!

    func at(_ milliseconds: Int64) -> NIODeadline { Self.t0 + .milliseconds(milliseconds) }

    func machine(priority: UInt8 = 240) -> VRRPStateMachine {
        VRRPStateMachine(
            parameters: VirtualRouterParameters(
                virtualRouterID: 51, version: .v3, priority: priority, advertisementInterval: .seconds(1),
                preempt: true, preemptDelay: .zero, primaryAddress: me))
    }

    func advert(priority: UInt8) -> Advertisement {
        Advertisement(version: .v3, virtualRouterID: 51, priority: priority, intervalCentiseconds: 100, addresses: [vip])
    }

    /// A BACKUP that last heard the peer's advert (priority 250) at `heardAt` ms.
    func backup(heardAt: Int64 = 500) -> VRRPStateMachine {
        var m = machine()
        _ = m.start(now: Self.t0)
        _ = m.advertisementReceived(advert(priority: 250), from: peer, now: at(heardAt))
        return m
    }

    @Test func test_backupWhosePeerWasMaster_bringsMasterDownForwardToTheConfirmationWindow() {
        var m = backup()
        let actions = m.peerLinkClosed(now: at(900), peerWasMaster: true)
        #expect(actions == [.armMasterDownTimer(at(930))])
    }

    @Test func test_noAdvertWithinTheWindow_backupBecomesMasterBecauseThePeerDied() {
        var m = backup()
        _ = m.peerLinkClosed(now: at(900), peerWasMaster: true)
        let actions = m.masterDownTimerExpired(now: at(930))
        #expect(m.state == .master)
        #expect(actions.contains(.transition(from: .backup, to: .master, reason: .peerProcessDied)))
        #expect(actions.contains(.addVirtualAddresses))
    }

    @Test func test_advertWithinTheWindow_keepsTheBackupAndRestoresMasterDownInterval() {
        var m = backup()
        _ = m.peerLinkClosed(now: at(900), peerWasMaster: true)
        let actions = m.advertisementReceived(advert(priority: 250), from: peer, now: at(905))
        #expect(actions == [.armMasterDownTimer(at(905) + m.masterDownInterval)])
        #expect(m.masterDownTimerExpired(now: at(930)) == [])
        #expect(m.state == .backup)
    }

    @Test func test_backupWhosePeerWasNotMaster_ignoresTheClosedChannel() {
        var m = backup()
        #expect(m.peerLinkClosed(now: at(900), peerWasMaster: false) == [])
        #expect(m.masterDownTimerExpired(now: at(930)) == [])
    }

    @Test func test_masterDownAlreadyDueSooner_isKept() {
        var m = backup()
        _ = m.advertisementReceived(advert(priority: 0), from: peer, now: at(900))  // resigned: Skew_Time
        // Skew_Time (62.5 ms at 240) ends before a 100 ms window would.
        #expect(m.peerLinkClosed(now: at(900), peerWasMaster: true, confirmationWindow: .milliseconds(100)) == [])
    }

    @Test func test_masterSeeingTheChannelClose_advertisesAtOnceToProveItIsAlive() {
        var m = machine(priority: 250)
        _ = m.start(now: Self.t0)
        _ = m.masterDownTimerExpired(now: Self.t0 + m.masterDownInterval)
        #expect(m.state == .master)
        #expect(m.peerLinkClosed(now: at(5000), peerWasMaster: false) == [.sendAdvertisement(priority: 250), .armAdvertTimer(at(6000))])
    }

    @Test func test_faultedRouter_ignoresTheClosedChannel() {
        var m = backup()
        _ = m.faultDetected(reason: "track", now: at(600))
        #expect(m.peerLinkClosed(now: at(900), peerWasMaster: true) == [])
    }
}
