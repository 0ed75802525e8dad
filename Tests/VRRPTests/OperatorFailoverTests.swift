import NIOCore
import Netlink
import Testing

@testable import VRRP

/// `hactl failover` on the pure state machine (`VRRPStateMachine.operatorFailover`), on a
/// virtual clock: hand over from MASTER, take over from BACKUP with force, clear.
@Suite struct OperatorFailoverTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let me = IPAddress("198.18.0.11")!
    let lowerPeer = IPAddress("198.18.0.10")!
    let higherPeer = IPAddress("198.18.0.12")!
    let vip = IPAddress("198.18.0.100")!

    func machine(priority: UInt8 = 100, preempt: Bool = true) -> VRRPStateMachine {
        VRRPStateMachine(
            parameters: VirtualRouterParameters(
                virtualRouterID: 51, version: .v3, priority: priority, advertisementInterval: .seconds(1),
                preempt: preempt, primaryAddress: me))
    }

    func advert(priority: UInt8) -> Advertisement {
        Advertisement(version: .v3, virtualRouterID: 51, priority: priority, intervalCentiseconds: 100, addresses: [vip])
    }

    func at(_ milliseconds: Int64) -> NIODeadline { Self.t0 + .milliseconds(milliseconds) }

    /// MASTER at t0 + 4 s, after its down timer fired with nobody heard.
    func master(priority: UInt8 = 100) -> VRRPStateMachine {
        var m = machine(priority: priority)
        _ = m.start(now: Self.t0)
        _ = m.masterDownTimerExpired(now: at(4000))
        return m
    }

    /// BACKUP at t0 that accepted `peer` as master at priority `masterPriority` at t0 + 100 ms.
    func backup(priority: UInt8 = 100, preempt: Bool = true, master peer: IPAddress, masterPriority: UInt8) -> VRRPStateMachine {
        var m = machine(priority: priority, preempt: preempt)
        _ = m.start(now: Self.t0)
        _ = m.advertisementReceived(advert(priority: masterPriority), from: peer, now: at(100))
        return m
    }

    // MARK: MASTER

    @Test func test_masterWithoutForce_andNoPeerHeard_refusesAndKeepsTheVIPs() {
        var m = master()
        let (decision, actions) = m.operatorFailover(force: false, now: at(5000))
        #expect(decision == .refused(.noLivePeer(masterDownIntervalMilliseconds: 3609)))
        #expect(actions.isEmpty)
        #expect(m.state == .master)
        #expect(m.operatorHold == nil)
    }

    @Test func test_masterWithoutForce_peerHeardWithinMasterDownInterval_resignsAndIsHeldDown() {
        var m = master()
        // A lower-priority router advertised (e.g. a split brain healing): it is alive.
        _ = m.advertisementReceived(advert(priority: 50), from: lowerPeer, now: at(4500))
        let (decision, actions) = m.operatorFailover(force: false, now: at(5000))
        #expect(decision == .handedOver)
        #expect(m.state == .backup)
        #expect(m.operatorHold == .heldDown)
        #expect(m.priority == 1)
        #expect(Array(actions.prefix(4)) == [
            .cancelAdvertTimer, .sendAdvertisement(priority: 0), .removeVirtualAddresses,
            .transition(from: .master, to: .backup, reason: .operatorFailover),
        ])
    }

    @Test func test_masterWithoutForce_peerHeardLongerAgoThanMasterDownInterval_refuses() {
        var m = master()
        _ = m.advertisementReceived(advert(priority: 50), from: lowerPeer, now: at(4500))
        let (decision, _) = m.operatorFailover(force: false, now: at(4500 + 3610))
        #expect(decision == .refused(.noLivePeer(masterDownIntervalMilliseconds: 3609)))
        #expect(m.state == .master)
    }

    @Test func test_masterWithForce_andNoPeer_handsOverAnyway() {
        var m = master()
        let (decision, actions) = m.operatorFailover(force: true, now: at(5000))
        #expect(decision == .handedOver)
        #expect(actions.contains(.sendAdvertisement(priority: 0)))
        #expect(m.state == .backup)
    }

    @Test func test_heldDownBackup_acceptsALowerPriorityMaster_insteadOfPreempting() {
        var m = master(priority: 200)
        _ = m.operatorFailover(force: true, now: at(5000))
        // The peer (priority 100) took over; held at 1 we accept it and re-arm the down timer.
        let actions = m.advertisementReceived(advert(priority: 100), from: lowerPeer, now: at(5100))
        #expect(actions == [.armMasterDownTimer(at(5100) + m.masterDownInterval)])
        #expect(m.masterAddress == lowerPeer)
        #expect(m.masterPriority == 100)
    }

    @Test func test_heldDownBackup_takesTheVIPsBack_whenNoPeerAdvertisesAtAll() {
        var m = master()
        _ = m.operatorFailover(force: true, now: at(5000))
        // Priority 1: Master_Down_Interval = 3 s + 255/256 s.
        #expect(m.masterDownTimerExpired(now: at(5000 + 3997)).first == .cancelMasterDownTimer)
        #expect(m.state == .master)
        #expect(m.operatorHold == .heldDown)
    }

    @Test func test_trackingChangeWhileHeldDown_doesNotLiftTheHold() {
        var m = master()
        _ = m.operatorFailover(force: true, now: at(5000))
        #expect(m.priorityChanged(to: 150, now: at(5100)).isEmpty)
        #expect(m.priority == 1)
        #expect(m.trackedPriority == 150)
    }

    // MARK: BACKUP

    @Test func test_backupWithoutForce_refusesAndSaysWhatForceWouldAdvertise() {
        var m = backup(master: lowerPeer, masterPriority: 150)
        let (decision, actions) = m.operatorFailover(force: false, now: at(200))
        #expect(decision == .refused(.backupNeedsForce(master: "198.18.0.10", masterPriority: 150, wouldAdvertise: 151)))
        #expect(actions.isEmpty)
        #expect(m.state == .backup)
    }

    @Test func test_backupWithForce_underNopreempt_becomesMasterAdvertisingMastersPriorityPlusOne() {
        var m = backup(preempt: false, master: lowerPeer, masterPriority: 150)
        let (decision, actions) = m.operatorFailover(force: true, now: at(200))
        #expect(decision == .tookOver(priority: 151))
        #expect(m.state == .master)
        #expect(m.operatorHold == .forced(priority: 151))
        #expect(actions.contains(.sendAdvertisement(priority: 151)))
        #expect(actions.contains(.addVirtualAddresses))
        #expect(actions.contains(.transition(from: .backup, to: .master, reason: .operatorTakeover(priority: 151))))
    }

    @Test func test_forcedMaster_keepsTheRole_whenTheOldMasterAssertsItsPriority() {
        var m = backup(master: lowerPeer, masterPriority: 150)
        _ = m.operatorFailover(force: true, now: at(200))
        // The old master at 150 hears our 151 and yields; its last advert (higher_prio_send_advert)
        // only makes us re-announce the VIPs, which the LAN may still map to its MAC.
        #expect(
            m.advertisementReceived(advert(priority: 150), from: lowerPeer, now: at(210))
                == [.sendAdvertisement(priority: 151), .reannounceVirtualAddresses])
        #expect(m.state == .master)
    }

    @Test func test_backupWithForce_capsTheTakeoverPriorityAt254() {
        var m = backup(master: lowerPeer, masterPriority: 254)
        let (decision, _) = m.operatorFailover(force: true, now: at(200))
        // 254 against 254: our address .11 beats the master's .10 (RFC 9568 §6.4.3 tie-break).
        #expect(decision == .tookOver(priority: 254))
    }

    @Test func test_backupWithForce_refuses_whenThe254MasterWinsTheTieOnItsAddress() {
        var m = backup(master: higherPeer, masterPriority: 254)
        let (decision, actions) = m.operatorFailover(force: true, now: at(200))
        #expect(decision == .refused(.masterWinsTie(master: "198.18.0.12")))
        #expect(actions.isEmpty)
    }

    @Test func test_backupWithForce_refuses_againstTheAddressOwner() {
        var m = backup(master: lowerPeer, masterPriority: 255)
        #expect(m.operatorFailover(force: true, now: at(200)).0 == .refused(.masterIsAddressOwner(master: "198.18.0.10")))
    }

    @Test func test_faultAndInit_refuse() {
        var idle = machine()
        #expect(idle.operatorFailover(force: true, now: Self.t0).0 == .refused(.notRunning))
        var faulted = master()
        _ = faulted.faultDetected(reason: "track_script chk down", now: at(5000))
        #expect(faulted.operatorFailover(force: true, now: at(5100)).0 == .refused(.inFault))
    }

    // MARK: Clear

    @Test func test_clearOnForcedMaster_advertisesTheTrackedPriorityAtOnce() {
        var m = backup(master: lowerPeer, masterPriority: 150)
        _ = m.operatorFailover(force: true, now: at(200))
        let actions = m.clearOperatorHold(now: at(300))
        #expect(actions == [.sendAdvertisement(priority: 100), .armAdvertTimer(at(1300))])
        #expect(m.operatorHold == nil)
        #expect(m.priority == 100)
        // The peer at 150 now outranks us and takes the VIPs back by §6.4.3.
        _ = m.advertisementReceived(advert(priority: 150), from: lowerPeer, now: at(400))
        #expect(m.state == .backup)
    }

    @Test func test_clearOnHeldBackup_restoresThePriorityWithoutAnAdvert() {
        var m = master(priority: 200)
        _ = m.operatorFailover(force: true, now: at(5000))
        #expect(m.clearOperatorHold(now: at(5100)).isEmpty)
        #expect(m.priority == 200)
        #expect(m.operatorHold == nil)
    }

    @Test func test_clearWithoutHold_doesNothing() {
        var m = master()
        #expect(m.clearOperatorHold(now: at(5000)).isEmpty)
    }
}
