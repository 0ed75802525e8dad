import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two hactl nodes in network namespaces (RFC 9568 §6.4 end to end): election, failover on
/// SIGKILL and SIGTERM, preemption, nopreempt, split brain and its healing.
@Suite(.serialized) struct VRRPFailoverTests {
    /// Master_Down_Interval for the backup role (priority 240) at advert_int 1: 3 s + 62.5 ms.
    static let backupMasterDownInterval: Duration = .milliseconds(3062) + .microseconds(500)
    /// Skew_Time for priority 240 at advert_int 1.
    static let backupSkewTime: Duration = .microseconds(62_500)

    /// Starts n1 as master and n2 as backup and waits until n1 holds the VIP.
    func elect(_ bench: VRRPLab, config: String = VRRPLab.hactlConf()) throws -> (LabProcess, LabProcess) {
        let master = try bench.startHactl("n1", role: "master", config: config)
        let backup = try bench.startHactl("n2", role: "backup", config: config)
        // Until both have started, n2 may briefly be master before n1 preempts it: wait for the settled state.
        let elected = bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") }
        #expect(elected != nil, "n1 never became master: \(master.log)")
        #expect(bench.lab.wait(timeout: .seconds(2)) { VRRPLab.transitions(in: backup, to: "BACKUP") > 0 } != nil)
        return (master, backup)
    }

    @Test func test_rfc9568_6_4_election_masterHoldsEveryVIPAndBackupNone() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, backup) = try elect(bench)
        // The backup heard the master for more than one advert interval and still holds nothing.
        #expect(bench.lab.wait(timeout: .milliseconds(1500)) { bench.holdsVIP("n2") } == nil)
        #expect(bench.holdsVIP("n1"))
        #expect(master.isRunning && backup.isRunning)
    }

    @Test func test_rfc9568_6_4_2_masterKilled_backupTakesOverWithinMasterDownIntervalAndClientFollows() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, _) = try elect(bench)
        try bench.startResponder("n1")
        try bench.startResponder("n2")
        #expect(bench.lab.wait(timeout: .seconds(3)) { bench.request() == "n1" } != nil)

        master.send(SIGKILL)
        bench.expectWithin(Self.backupMasterDownInterval + .milliseconds(100), "SIGKILL takeover", timeout: .seconds(6)) {
            bench.holdsVIP("n2")
        }

        // The gratuitous ARP moved the client's neighbour entry to n2, so the next request lands there.
        let n2MAC = bench.lab.macAddress("n2")
        #expect(bench.lab.wait(timeout: .seconds(1)) { bench.clientNeighbourMAC() == n2MAC } != nil)
        #expect(bench.request() == "n2")
    }

    @Test func test_rfc9568_6_4_3_masterTerminated_resignsAndBackupTakesOverWithinSkewTime() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, _) = try elect(bench)
        master.send(SIGTERM)
        bench.expectWithin(Self.backupSkewTime + .milliseconds(100), "SIGTERM takeover", timeout: .seconds(5)) {
            bench.holdsVIP("n2")
        }
        // The master removed its VIP on the way out.
        #expect(bench.lab.wait(timeout: .seconds(5)) { !master.isRunning } != nil)
        #expect(!bench.holdsVIP("n1"))
    }

    @Test func test_rfc9568_6_4_2_preemption_returningHigherPriorityMasterTakesVIPBack() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let config = VRRPLab.hactlConf()
        let (master, _) = try elect(bench, config: config)
        master.send(SIGKILL)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") } != nil)
        // n1 comes back (its stale VIP is cleaned at start) and preempts the lower-priority n2.
        try bench.startHactl("n1", role: "master", config: config)
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
    }

    @Test func test_nopreempt_returningHigherPriorityNodeStaysBackup() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let config = VRRPLab.hactlConf(extra: ["state BACKUP", "nopreempt"])
        let (master, _) = try elect(bench, config: config)
        master.send(SIGKILL)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") } != nil)
        let returning = try bench.startHactl("n1", role: "master", config: config)
        #expect(bench.lab.wait(timeout: .seconds(3)) { VRRPLab.transitions(in: returning, to: "BACKUP") > 0 } != nil)
        // Longer than n1's Master_Down_Interval (3.02 s): it would have preempted by now.
        #expect(bench.lab.wait(timeout: .seconds(4)) { bench.holdsVIP("n1") } == nil)
        #expect(bench.holdsVIP("n2"))
    }

    @Test func test_splitBrain_linkCutThreeSeconds_bothMasterThenExactlyOneWithinOneAdvertInterval() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        _ = try elect(bench)
        try bench.lab.cut("n1")
        let clock = ContinuousClock()
        let cutAt = clock.now
        #expect(bench.lab.wait(timeout: .seconds(5)) { bench.holdsVIP("n2") } != nil)
        #expect(bench.holdsVIP("n1"), "both are MASTER while cut off")
        let remaining = .seconds(3) - (clock.now - cutAt)
        if remaining > .zero { bench.lab.wait(timeout: remaining) { false } }
        try bench.lab.heal("n1")
        bench.expectWithin(.seconds(1) + .milliseconds(100), "one master again after the heal", timeout: .seconds(3)) {
            !bench.holdsVIP("n2")
        }
        #expect(bench.holdsVIP("n1"))
    }

    @Test func test_rfc9568_6_1_advertInterval100ms_killedMasterReplacedUnder500ms() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, _) = try elect(bench, config: VRRPLab.hactlConf(advertInterval: "0.1"))
        // Let the backup learn the 100 ms interval from several adverts.
        bench.lab.wait(timeout: .milliseconds(500)) { false }
        master.send(SIGKILL)
        bench.expectWithin(.milliseconds(499), "SIGKILL takeover at advert_int 0.1", timeout: .seconds(3)) {
            bench.holdsVIP("n2")
        }
    }

    @Test func test_unicastPeers_sameFileOnBothNodes_electsAndFailsOver() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        // Every node lists every node; each skips its own address.
        let config = VRRPLab.hactlConf(extra: ["unicast_peer 198.18.0.10", "unicast_peer 198.18.0.11"])
        let (master, _) = try elect(bench, config: config)
        #expect(bench.lab.wait(timeout: .milliseconds(1500)) { bench.holdsVIP("n2") } == nil)
        master.send(SIGKILL)
        bench.expectWithin(Self.backupMasterDownInterval + .milliseconds(100), "unicast SIGKILL takeover", timeout: .seconds(6)) {
            bench.holdsVIP("n2")
        }
    }
}
