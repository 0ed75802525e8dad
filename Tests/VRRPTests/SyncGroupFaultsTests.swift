import Testing

@testable import VRRP

/// keepalived's vrrp_sync_group FAULT rule: a member's own fault holds the others in FAULT; the
/// FAULT the group imposes is never passed back, so the group leaves FAULT with the last own fault.
@Suite struct SyncGroupFaultsTests {
    /// Two members' tracking joined by `SyncGroupFaults` the way `VirtualRouterNode` joins them:
    /// after every tracker change the member reports its own faults, and every hold is recorded
    /// by the member it is for (which reports again).
    struct Group {
        var faults = SyncGroupFaults(group: "SG", members: ["VI_A", "VI_B"])
        var tracking = ["VI_A": TrackedPriority(basePriority: 250), "VI_B": TrackedPriority(basePriority: 250)]

        mutating func set(_ member: String, _ tracker: String, _ contribution: TrackedPriority.Contribution) {
            tracking[member]!.set(tracker, contribution)
            var pending = faults.ownFaults(of: member, are: tracking[member]!.ownFaults)
            while !pending.isEmpty {
                let hold = pending.removeFirst()
                tracking[hold.member]!.set(hold.tracker, .syncGroupPeer(inFault: hold.inFault))
                pending += faults.ownFaults(of: hold.member, are: tracking[hold.member]!.ownFaults)
            }
        }

        func inFault(_ member: String) -> Bool { !tracking[member]!.faults.isEmpty }
    }

    @Test func test_trackInterfaceDown_holdsTheOtherMemberInFault() {
        var group = Group()
        group.set("VI_A", "track_interface trk0", .status(up: false, weight: 0))
        #expect(group.inFault("VI_A") && group.inFault("VI_B"))
        #expect(group.tracking["VI_B"]!.faults == ["sync_group SG member VI_A"])
    }

    @Test func test_trackInterfaceBackUp_bothMembersLeaveFault() {
        var group = Group()
        group.set("VI_A", "track_interface trk0", .status(up: false, weight: 0))
        group.set("VI_A", "track_interface trk0", .status(up: true, weight: 0))
        #expect(!group.inFault("VI_A"))
        #expect(!group.inFault("VI_B"))
    }

    @Test func test_memberHeldByTheGroup_doesNotHoldTheMemberThatFailed() {
        var group = Group()
        group.set("VI_A", "track_interface trk0", .status(up: false, weight: 0))
        #expect(group.tracking["VI_A"]!.faults == ["track_interface trk0"], "VI_B's group-imposed FAULT came back to VI_A")
        #expect(group.faults.faulted == ["VI_A"])
    }

    @Test func test_trackFileWeightZero_nonZeroHoldsBoth_andZeroReleasesBoth() {
        var group = Group()
        group.set("VI_A", "track_file f", .fileValue(1, weight: 0))
        #expect(group.inFault("VI_A") && group.inFault("VI_B"))
        group.set("VI_A", "track_file f", .fileValue(0, weight: 0))
        #expect(!group.inFault("VI_A") && !group.inFault("VI_B"))
    }

    @Test func test_bothMembersWithOwnFaults_stayInFaultUntilTheLastClears() {
        var group = Group()
        group.set("VI_A", "track_interface trk0", .status(up: false, weight: 0))
        group.set("VI_B", "track_script chk", .status(up: false, weight: 0))
        group.set("VI_A", "track_interface trk0", .status(up: true, weight: 0))
        #expect(group.inFault("VI_A"), "VI_B's own fault still holds VI_A")
        #expect(group.tracking["VI_A"]!.faults == ["sync_group SG member VI_B"])
        group.set("VI_B", "track_script chk", .status(up: true, weight: 0))
        #expect(!group.inFault("VI_A") && !group.inFault("VI_B"))
    }

    @Test func test_reportingTheSameStandingTwice_sendsNothing() {
        var faults = SyncGroupFaults(group: "SG", members: ["VI_A", "VI_B"])
        #expect(faults.ownFaults(of: "VI_A", are: ["x"]).count == 1)
        #expect(faults.ownFaults(of: "VI_A", are: ["x", "y"]).isEmpty)
        #expect(faults.ownFaults(of: "VI_A", are: []) == [
            .init(member: "VI_B", tracker: "sync_group SG member VI_A", peer: "VI_A", inFault: false)
        ])
    }
}
