import HACore
import Testing

@testable import VRRP

/// keepalived's weight semantics for track_script / track_interface / track_file / track_proxy.
@Suite struct TrackedPriorityTests {
    @Test func test_weightZero_downMeansFault() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_script chk_gw", .status(up: false, weight: 0))
        #expect(tracked.faults == ["track_script chk_gw"])
        #expect(tracked.effectivePriority == 250)
    }

    @Test func test_negativeWeight_subtractsOnFailureOnly() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_script chk", .status(up: true, weight: -20))
        #expect(tracked.effectivePriority == 250)
        tracked.set("track_script chk", .status(up: false, weight: -20))
        #expect(tracked.effectivePriority == 230)
        #expect(tracked.faults.isEmpty)
    }

    @Test func test_positiveWeight_addsOnSuccessOnly() {
        var tracked = TrackedPriority(basePriority: 100)
        tracked.set("track_script chk_haproxy", .status(up: true, weight: 2))
        #expect(tracked.effectivePriority == 102)
        tracked.set("track_script chk_haproxy", .status(up: false, weight: 2))
        #expect(tracked.effectivePriority == 100)
    }

    @Test func test_effectivePriorityIsClampedTo1Through254() {
        var high = TrackedPriority(basePriority: 250)
        high.set("a", .status(up: true, weight: 50))
        #expect(high.effectivePriority == 254)
        var low = TrackedPriority(basePriority: 10)
        low.set("a", .status(up: false, weight: -50))
        #expect(low.effectivePriority == 1)
    }

    @Test func test_ownerPriority255IsNeverChanged() {
        var owner = TrackedPriority(basePriority: 255)
        owner.set("a", .status(up: false, weight: -50))
        #expect(owner.effectivePriority == 255)
    }

    @Test func test_trackFile_addsValueTimesWeight_andWeightZeroNonZeroValueIsFault() {
        var tracked = TrackedPriority(basePriority: 200)
        tracked.set("track_file f", .fileValue(-3, weight: 10))
        #expect(tracked.effectivePriority == 170)
        tracked.set("track_file g", .fileValue(1, weight: 0))
        #expect(tracked.faults == ["track_file g"])
    }

    // MARK: keepalived.conf(5) "Track files": a value times the weight below -253 is FAULT

    @Test func test_trackFile_valueTimesWeightBelowMinus253_isFault_notAPriorityClampedTo1() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_file f", .fileValue(30, weight: -10))
        #expect(tracked.faults == ["track_file f"])
        #expect(tracked.ownFaults == ["track_file f"])
    }

    @Test func test_trackFile_valueTimesWeightOfExactlyMinus253_isAddedAndClamped() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_file f", .fileValue(253, weight: -1))
        #expect(tracked.faults.isEmpty)
        #expect(tracked.effectivePriority == 1)
    }

    @Test func test_trackFile_weight254AndANegativeValue_isFault() {
        // keepalived.conf(5): "the weight can be 254 to allow for a negative value being read".
        var tracked = TrackedPriority(basePriority: 100)
        tracked.set("track_file f", .fileValue(-1, weight: 254))
        #expect(tracked.faults == ["track_file f"])
    }

    @Test func test_trackFile_hugeValueDoesNotOverflow() {
        var tracked = TrackedPriority(basePriority: 100)
        tracked.set("track_file f", .fileValue(Int.max, weight: -2))
        #expect(tracked.faults == ["track_file f"])
        tracked.set("track_file f", .fileValue(Int.max, weight: 2))
        #expect(tracked.faults.isEmpty)
        #expect(tracked.effectivePriority == 254)
    }

    @Test func test_scriptWeightsSummingBelowMinus253_clampPriorityTo1_withoutFault() {
        // A script's weight is bounded to -253...253; keepalived.conf(5) limits the sum to [1,254].
        var tracked = TrackedPriority(basePriority: 100)
        tracked.set("track_script a", .status(up: false, weight: -253))
        tracked.set("track_script b", .status(up: false, weight: -253))
        #expect(tracked.faults.isEmpty)
        #expect(tracked.effectivePriority == 1)
    }

    // MARK: What a change did, for the log

    @Test func test_negativeWeightGoingDown_isReportedAsLoweringThePriority_withBaseAndTerms() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_script chk", .status(up: true, weight: -20))
        tracked.set("track_interface eth1", .status(up: true, weight: 0))
        let change = tracked.set("track_script chk", .status(up: false, weight: -20))
        #expect(change.effect == .lowersPriority)
        #expect(change.previous == .adds(0) && change.term == .adds(-20))
        #expect(change.basePriority == 250 && change.effectivePriority == 230)
        #expect(change.terms == ["track_script chk": .adds(-20), "track_interface eth1": .adds(0)])
    }

    @Test func test_negativeWeightComingBack_isReportedAsRestoringThePriority() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_script chk", .status(up: false, weight: -20))
        let change = tracked.set("track_script chk", .status(up: true, weight: -20))
        #expect(change.effect == .restoresPriority)
        #expect(change.effectivePriority == 250)
    }

    @Test func test_trackFileValueRising_withNegativeWeight_lowersThePriority() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_file w", .fileValue(0, weight: -10))
        #expect(tracked.set("track_file w", .fileValue(2, weight: -10)).effect == .lowersPriority)
        #expect(tracked.set("track_file w", .fileValue(30, weight: -10)).effect == .fault)
        #expect(tracked.set("track_file w", .fileValue(0, weight: -10)).effect == .faultCleared)
    }

    @Test func test_positiveWeightGoingDown_lowers_andComingUp_raises() {
        var tracked = TrackedPriority(basePriority: 100)
        tracked.set("track_script chk", .status(up: true, weight: 5))
        #expect(tracked.set("track_script chk", .status(up: false, weight: 5)).effect == .lowersPriority)
        #expect(tracked.set("track_script chk", .status(up: true, weight: 5)).effect == .raisesPriority)
    }

    @Test func test_changeEvent_carriesEffectPriorityBaseAndEveryTermSortedByTracker() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("track_script chk", .status(up: false, weight: -20))
        let event = tracked.set("track_file w", .fileValue(1, weight: -10)).event(instance: "VI_1", reason: "/run/w holds 1")
        #expect(
            event
                == TrackerChange(
                    instance: "VI_1", tracker: "track_file w", reason: "/run/w holds 1", effect: .lowersPriority,
                    basePriority: 250, priority: 220,
                    terms: [.init(tracker: "track_file w", value: "-10"), .init(tracker: "track_script chk", value: "-20")]))
    }

    // MARK: vrrp_sync_group

    @Test func test_faultImposedBySyncGroupPeer_isAFaultButNotAnOwnFault() {
        var tracked = TrackedPriority(basePriority: 250)
        tracked.set("sync_group G member VI_A", .syncGroupPeer(inFault: true))
        #expect(tracked.faults == ["sync_group G member VI_A"])
        #expect(tracked.ownFaults.isEmpty)
    }
}

/// vrrp_script rise / fall.
@Suite struct RiseFallCounterTests {
    @Test func test_firstResultDecides() {
        var counter = RiseFallCounter(rise: 3, fall: 3)
        #expect(counter.record(success: false) == false)
    }

    @Test func test_fallConsecutiveFailuresTurnDown() {
        var counter = RiseFallCounter(rise: 2, fall: 2)
        _ = counter.record(success: true)
        #expect(counter.record(success: false) == nil)
        #expect(counter.record(success: false) == false)
    }

    @Test func test_aSuccessInBetweenResetsTheFallStreak() {
        var counter = RiseFallCounter(rise: 2, fall: 2)
        _ = counter.record(success: true)
        _ = counter.record(success: false)
        _ = counter.record(success: true)
        #expect(counter.record(success: false) == nil)
        #expect(counter.isUp == true)
    }

    @Test func test_riseConsecutiveSuccessesTurnUp() {
        var counter = RiseFallCounter(rise: 2, fall: 1)
        _ = counter.record(success: false)
        #expect(counter.record(success: true) == nil)
        #expect(counter.record(success: true) == true)
    }
}
