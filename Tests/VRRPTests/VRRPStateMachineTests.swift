import NIOCore
import Netlink
import Testing

@testable import VRRP

/// RFC 9568 §6 (and RFC 3768 §6 for version 2), transition by transition, on a virtual clock.
@Suite struct VRRPStateMachineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let me = IPAddress("198.18.0.11")!
    let lowerPeer = IPAddress("198.18.0.10")!
    let higherPeer = IPAddress("198.18.0.12")!
    let vip = IPAddress("198.18.0.100")!

    func machine(
        priority: UInt8 = 100, version: VRRPVersion = .v3, interval: Duration = .seconds(1),
        preempt: Bool = true, preemptDelay: Duration = .zero
    ) -> VRRPStateMachine {
        VRRPStateMachine(
            parameters: VirtualRouterParameters(
                virtualRouterID: 51, version: version, priority: priority, advertisementInterval: interval,
                preempt: preempt, preemptDelay: preemptDelay, primaryAddress: me))
    }

    func advert(priority: UInt8, intervalCentiseconds: UInt16 = 100, version: VRRPVersion = .v3) -> Advertisement {
        Advertisement(
            version: version, virtualRouterID: 51, priority: priority, intervalCentiseconds: intervalCentiseconds,
            addresses: [vip])
    }

    func at(_ milliseconds: Int64) -> NIODeadline { Self.t0 + .milliseconds(milliseconds) }

    /// A machine that is MASTER at t0 (backup whose down timer fired).
    func master(priority: UInt8 = 100, version: VRRPVersion = .v3) -> VRRPStateMachine {
        var m = machine(priority: priority, version: version)
        _ = m.start(now: Self.t0)
        _ = m.masterDownTimerExpired(now: Self.t0 + m.masterDownInterval)
        return m
    }

    // MARK: §6.1 timers

    @Test func test_rfc9568_6_1_skewTimeIsPriorityWeightedShareOfMasterAdverInterval() {
        let m = machine(priority: 240)
        // ((256 - 240) * 100 cs) / 256 = 6.25 cs
        #expect(m.skewTime == .microseconds(62_500))
        #expect(m.masterDownInterval == .milliseconds(3000) + .microseconds(62_500))
    }

    @Test func test_rfc9568_6_1_skewTimeScalesWithShortInterval() {
        let m = machine(priority: 250, interval: .milliseconds(100))
        #expect(m.skewTime == .nanoseconds(2_343_750))
        #expect(m.masterDownInterval == .nanoseconds(302_343_750))
    }

    @Test func test_rfc3768_6_1_v2SkewTimeIsPriorityShareOfOneSecond() {
        let m = machine(priority: 100, version: .v2, interval: .seconds(2))
        #expect(m.skewTime == .nanoseconds(156 * 1_000_000_000 / 256))
        #expect(m.masterDownInterval == .seconds(6) + .nanoseconds(609_375_000))
    }

    // MARK: §6.4.1 Initialize

    @Test func test_rfc9568_6_4_1_startupWithPriorityBelow255_entersBackupAndArmsMasterDownTimer() {
        var m = machine(priority: 240)
        let actions = m.start(now: Self.t0)
        #expect(m.state == .backup)
        #expect(
            actions == [
                .transition(from: .initialize, to: .backup, reason: .startup),
                .armMasterDownTimer(Self.t0 + .milliseconds(3000) + .microseconds(62_500)),
            ])
    }

    @Test func test_rfc9568_6_4_1_startupAsOwner_entersMasterAdvertisesAnnouncesAndArmsAdverTimer() {
        var m = machine(priority: 255)
        let actions = m.start(now: Self.t0)
        #expect(m.state == .master)
        #expect(
            actions == [
                .transition(from: .initialize, to: .master, reason: .addressOwner),
                .addVirtualAddresses,
                .sendAdvertisement(priority: 255),
                .announceVirtualAddresses,
                .armAdvertTimer(Self.t0 + .seconds(1)),
            ])
    }

    // MARK: §6.4.2 Backup

    @Test func test_rfc9568_6_4_2_backupMasterDownTimerExpiry_becomesMaster() {
        var m = machine()
        _ = m.start(now: Self.t0)
        let expiry = Self.t0 + m.masterDownInterval
        let actions = m.masterDownTimerExpired(now: expiry)
        #expect(m.state == .master)
        #expect(
            actions == [
                .cancelMasterDownTimer,
                .transition(from: .backup, to: .master, reason: .masterDownTimerExpired),
                .addVirtualAddresses,
                .sendAdvertisement(priority: 100),
                .announceVirtualAddresses,
                .armAdvertTimer(expiry + .seconds(1)),
            ])
    }

    @Test func test_rfc9568_6_4_2_staleMasterDownTimerFiringBeforeDeadline_isIgnored() {
        var m = machine()
        _ = m.start(now: Self.t0)
        _ = m.advertisementReceived(advert(priority: 200), from: higherPeer, now: at(2000))
        #expect(m.masterDownTimerExpired(now: at(3200)) == [])
        #expect(m.state == .backup)
    }

    @Test func test_rfc9568_6_4_2_backupReceivingHigherPriority_resetsMasterDownTimer() {
        var m = machine()
        _ = m.start(now: Self.t0)
        let actions = m.advertisementReceived(advert(priority: 200), from: higherPeer, now: at(500))
        #expect(actions == [.armMasterDownTimer(at(500) + m.masterDownInterval)])
        #expect(m.masterAddress == higherPeer)
    }

    @Test func test_rfc9568_6_4_2_backupReceivingPriorityZero_setsDownTimerToSkewTime() {
        var m = machine(priority: 240)
        _ = m.start(now: Self.t0)
        let actions = m.advertisementReceived(advert(priority: 0), from: higherPeer, now: at(500))
        #expect(actions == [.armMasterDownTimer(at(500) + .microseconds(62_500))])
        let takeover = m.masterDownTimerExpired(now: at(500) + .microseconds(62_500))
        #expect(takeover.contains(.transition(from: .backup, to: .master, reason: .masterResigned(higherPeer))))
    }

    @Test func test_rfc9568_6_4_2_backupAdoptsMastersAdvertisedIntervalAsActiveAdverInterval() {
        var m = machine(priority: 240)
        _ = m.start(now: Self.t0)
        let actions = m.advertisementReceived(advert(priority: 250, intervalCentiseconds: 10), from: higherPeer, now: at(0))
        #expect(m.masterAdvertisementInterval == .milliseconds(100))
        // 3 × 100 ms + (16 × 100 ms) / 256
        #expect(actions == [.armMasterDownTimer(at(0) + .milliseconds(300) + .microseconds(6_250))])
    }

    @Test func test_rfc3768_v2BackupDoesNotLearnInterval() {
        var m = machine(priority: 240, version: .v2)
        _ = m.start(now: Self.t0)
        _ = m.advertisementReceived(advert(priority: 250, intervalCentiseconds: 300, version: .v2), from: higherPeer, now: at(0))
        #expect(m.masterAdvertisementInterval == .seconds(1))
    }

    @Test func test_rfc9568_6_4_2_preemptingBackup_discardsLowerPriorityAdvertAndTakesOverAtMasterDown() {
        var m = machine(priority: 250)
        _ = m.start(now: Self.t0)
        let armed = Self.t0 + m.masterDownInterval
        #expect(m.advertisementReceived(advert(priority: 240), from: higherPeer, now: at(1000)) == [])
        let actions = m.masterDownTimerExpired(now: armed)
        #expect(
            actions.contains(
                .transition(from: .backup, to: .master, reason: .preemptingLowerPriorityMaster(higherPeer, priority: 240))))
    }

    @Test func test_rfc9568_6_4_2_nopreempt_backupAcceptsLowerPriorityMaster() {
        var m = machine(priority: 250, preempt: false)
        _ = m.start(now: Self.t0)
        let actions = m.advertisementReceived(advert(priority: 240), from: higherPeer, now: at(1000))
        #expect(actions == [.armMasterDownTimer(at(1000) + m.masterDownInterval)])
        #expect(m.masterDownTimerExpired(now: Self.t0 + m.masterDownInterval) == [])
        #expect(m.state == .backup)
    }

    @Test func test_preemptDelay_holdsPreemptionOfLiveLowerMasterUntilDelayElapsed() {
        var m = machine(priority: 250, preemptDelay: .seconds(5))
        _ = m.start(now: Self.t0)
        // During the hold the lower master's adverts keep the down timer re-armed.
        #expect(m.advertisementReceived(advert(priority: 240), from: higherPeer, now: at(1000)) != [])
        #expect(m.advertisementReceived(advert(priority: 240), from: higherPeer, now: at(5000)) != [])
        // After 5 s from the first sighting they are discarded again.
        #expect(m.advertisementReceived(advert(priority: 240), from: higherPeer, now: at(6000)) == [])
        let takeover = m.masterDownTimerExpired(now: at(5000) + m.masterDownInterval)
        #expect(m.state == .master)
        #expect(!takeover.isEmpty)
    }

    @Test func test_rfc9568_notes_backupTreatsEqualPriorityAsMasterWhateverTheAddress() {
        var m = machine(priority: 100)
        _ = m.start(now: Self.t0)
        let actions = m.advertisementReceived(advert(priority: 100), from: lowerPeer, now: at(100))
        #expect(actions == [.armMasterDownTimer(at(100) + m.masterDownInterval)])
    }

    // MARK: §6.4.3 Master

    @Test func test_rfc9568_6_4_3_adverTimerExpiry_sendsAdvertAndRearms() {
        var m = master()
        let now = Self.t0 + machine().masterDownInterval + .seconds(1)
        #expect(m.advertTimerExpired(now: now) == [.sendAdvertisement(priority: 100), .armAdvertTimer(now + .seconds(1))])
    }

    @Test func test_rfc9568_6_4_3_masterReceivingHigherPriority_becomesBackupAndRemovesAddresses() {
        var m = master()
        let actions = m.advertisementReceived(advert(priority: 200), from: lowerPeer, now: at(5000))
        #expect(m.state == .backup)
        #expect(
            actions == [
                .cancelAdvertTimer, .sendAdvertisement(priority: 100), .removeVirtualAddresses,
                .transition(from: .master, to: .backup, reason: .higherPriorityAdvertisement(lowerPeer, priority: 200)),
                .armMasterDownTimer(at(5000) + m.masterDownInterval),
            ])
    }

    @Test func test_rfc9568_6_4_3_masterReceivingEqualPriorityFromHigherAddress_becomesBackup() {
        var m = master()
        let actions = m.advertisementReceived(advert(priority: 100), from: higherPeer, now: at(5000))
        #expect(m.state == .backup)
        #expect(actions.contains(.transition(from: .master, to: .backup, reason: .samePriorityHigherAddress(higherPeer))))
    }

    @Test func test_rfc9568_6_4_3_masterReceivingEqualPriorityFromLowerAddress_staysMasterAndAsserts() {
        var m = master()
        #expect(
            m.advertisementReceived(advert(priority: 100), from: lowerPeer, now: at(5000))
                == [.sendAdvertisement(priority: 100), .reannounceVirtualAddresses])
        #expect(m.state == .master)
    }

    @Test func test_rfc9568_6_4_3_masterReceivingLowerPriority_sendsItsOwnAdvertAtOnce() {
        var m = master()
        #expect(
            m.advertisementReceived(advert(priority: 50), from: higherPeer, now: at(5000))
                == [.sendAdvertisement(priority: 100), .reannounceVirtualAddresses])
        #expect(m.state == .master)
    }

    @Test func test_rfc9568_6_4_3_masterReceivingPriorityZero_advertisesAndResetsAdverTimer() {
        var m = master()
        #expect(
            m.advertisementReceived(advert(priority: 0), from: higherPeer, now: at(5000))
                == [.sendAdvertisement(priority: 100), .armAdvertTimer(at(6000))])
    }

    @Test func test_rfc9568_6_4_3_shutdownAsMaster_resignsWithPriorityZeroAndRemovesAddresses() {
        var m = master()
        #expect(
            m.shutdown(now: at(9000)) == [
                .cancelAdvertTimer, .sendAdvertisement(priority: 0), .removeVirtualAddresses,
                .transition(from: .master, to: .initialize, reason: .shutdown),
            ])
        #expect(m.state == .initialize)
    }

    @Test func test_rfc9568_6_4_2_shutdownAsBackup_cancelsMasterDownTimer() {
        var m = machine()
        _ = m.start(now: Self.t0)
        #expect(
            m.shutdown(now: at(100)) == [
                .cancelMasterDownTimer, .transition(from: .backup, to: .initialize, reason: .shutdown),
            ])
    }

    @Test func test_staleAdverTimerAfterLeavingMaster_isIgnored() {
        var m = master()
        _ = m.advertisementReceived(advert(priority: 200), from: lowerPeer, now: at(5000))
        #expect(m.advertTimerExpired(now: at(9000)) == [])
    }

    // MARK: Tracking: priority and FAULT (keepalived)

    @Test func test_priorityChangeWhileMaster_advertisesNewPriorityAtOnce() {
        var m = master()
        #expect(m.priorityChanged(to: 80, now: at(5000)) == [.sendAdvertisement(priority: 80), .armAdvertTimer(at(6000))])
        #expect(m.priority == 80)
    }

    @Test func test_lowerPriorityAfterTracking_letsPreemptingPeerWin() {
        var m = master()
        _ = m.priorityChanged(to: 80, now: at(5000))
        let actions = m.advertisementReceived(advert(priority: 90), from: lowerPeer, now: at(5100))
        #expect(actions.contains(.transition(from: .master, to: .backup, reason: .higherPriorityAdvertisement(lowerPeer, priority: 90))))
    }

    @Test func test_ownerPriorityIsNeverChangedByTracking() {
        var m = machine(priority: 255)
        _ = m.start(now: Self.t0)
        #expect(m.priorityChanged(to: 200, now: at(10)) == [])
        #expect(m.priority == 255)
    }

    @Test func test_faultWhileMaster_resignsWithPriorityZeroAndRemovesAddresses() {
        var m = master()
        #expect(
            m.faultDetected(reason: "track_script chk_gw failed", now: at(5000)) == [
                .cancelAdvertTimer, .sendAdvertisement(priority: 0), .removeVirtualAddresses,
                .transition(from: .master, to: .fault, reason: .fault("track_script chk_gw failed")),
            ])
        #expect(m.advertisementReceived(advert(priority: 50), from: higherPeer, now: at(5100)) == [])
    }

    @Test func test_faultCleared_returnsToBackupWithMasterDownTimer() {
        var m = master()
        _ = m.faultDetected(reason: "x", now: at(5000))
        let actions = m.faultCleared(now: at(7000))
        #expect(m.state == .backup)
        #expect(
            actions == [
                .transition(from: .fault, to: .backup, reason: .faultCleared),
                .armMasterDownTimer(at(7000) + m.masterDownInterval),
            ])
    }

    @Test func test_faultBeforeStartup_startsInFault() {
        var m = machine()
        _ = m.faultDetected(reason: "track_interface eth0 down", now: Self.t0)
        #expect(m.start(now: Self.t0) == [.transition(from: .initialize, to: .fault, reason: .startup)])
        #expect(m.state == .fault)
    }

    // MARK: vrrp_sync_group

    @Test func test_syncGroupMaster_movesBackupToMaster() {
        var m = machine()
        _ = m.start(now: Self.t0)
        let reason = TransitionReason.syncGroup(group: "G", instance: "VI_2")
        let actions = m.syncGroupMaster(reason: reason, now: at(10))
        #expect(m.state == .master)
        #expect(actions.contains(.transition(from: .backup, to: .master, reason: reason)))
        #expect(actions.contains(.addVirtualAddresses))
    }

    @Test func test_syncGroupBackup_movesMasterToBackupAndRemovesAddresses() {
        var m = master()
        let reason = TransitionReason.syncGroup(group: "G", instance: "VI_2")
        let actions = m.syncGroupBackup(reason: reason, now: at(5000))
        #expect(m.state == .backup)
        #expect(actions.prefix(3) == [.cancelAdvertTimer, .removeVirtualAddresses, .transition(from: .master, to: .backup, reason: reason)])
    }
}
