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
