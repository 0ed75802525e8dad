import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two hactl nodes joined by the peer channel (`peers` / `peer-key`): a SIGKILLed master is
/// replaced within 100 ms (not Master_Down_Interval), while a broken channel alone, a stopped
/// process or a wrong key leave VRRP as it is.
@Suite(.serialized) struct VRRPPeerLinkTests {
    static let port = 7100

    /// hactl.conf for both nodes: the same `peers` section, each finding itself by address.
    static func config(keyFile: String) -> String {
        VRRPLab.hactlConf(sections: [
            "peers pair",
            "    peer n1 198.18.0.10:\(port)",
            "    peer n2 198.18.0.11:\(port)",
            "    peer-key \(keyFile)",
        ])
    }

    /// n1 master, n2 backup, the channel up and n2 told that n1 is MASTER of VI_1.
    func elect(_ bench: VRRPLab, keyN2: String = "0123456789abcdef0123456789abcdef") throws -> (LabProcess, LabProcess) {
        let key1 = try bench.lab.writeFile("n1.key", "0123456789abcdef0123456789abcdef\n")
        let key2 = try bench.lab.writeFile("n2.key", keyN2 + "\n")
        // Each node its own control socket: /run is shared between the namespaces.
        let master = try bench.startHactl(
            "n1", role: "master", config: Self.config(keyFile: key1), arguments: ["--socket", "\(bench.lab.runDirectory)/n1.sock"])
        let backup = try bench.startHactl(
            "n2", role: "backup", config: Self.config(keyFile: key2), arguments: ["--socket", "\(bench.lab.runDirectory)/n2.sock"])
        let elected = bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") }
        #expect(elected != nil, "n1 never became master: \(master.log)")
        return (master, backup)
    }

    func waitForPeerReport(_ bench: VRRPLab, _ backup: LabProcess) {
        let told = bench.lab.wait(timeout: .seconds(5)) {
            backup.log.contains("peer link up") && backup.log.contains("VI_1=MASTER")
        }
        #expect(told != nil, "n2 never heard over the channel that n1 is MASTER: \(backup.log)")
    }

    @Test func test_masterKilled_backupServesTheVIPWithin100ms() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, backup) = try elect(bench)
        waitForPeerReport(bench, backup)
        try bench.startResponder("n2")

        master.send(SIGKILL)
        bench.expectWithin(.milliseconds(100), "SIGKILL takeover over the peer link", timeout: .seconds(6)) {
            bench.holdsVIP("n2")
        }
        // The transition is logged just after the VIP is in place: wait for the line.
        #expect(bench.lab.wait(timeout: .seconds(1)) { backup.log.contains("peer process died") } != nil, "\(backup.log)")
        #expect(bench.lab.wait(timeout: .seconds(2)) { bench.request() == "n2" } != nil)
    }

    @Test func test_channelAloneBroken_vrrpUnchanged() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, backup) = try elect(bench)
        waitForPeerReport(bench, backup)
        let changesBefore = VRRPLab.stateChanges(backup)

        // Kill the channel's socket on n2 (the acceptor: its local port is the peer port): n1 gets
        // an RST, n2 an error; both processes and their adverts carry on.
        // n2's own socket was aborted (ECONNABORTED), which is not its peer dying: no takeover window.
        let upsBefore = backup.log.components(separatedBy: "peer link up").count - 1
        _ = try bench.lab.exec("n2", ["ss", "-K", "state", "established", "( sport = :\(Self.port) )"])
        // Well past the 30 ms confirmation window and a whole advert interval: n2 stays BACKUP.
        #expect(bench.lab.wait(timeout: .milliseconds(1500)) { bench.holdsVIP("n2") } == nil)
        #expect(VRRPLab.stateChanges(backup) == changesBefore)
        #expect(bench.holdsVIP("n1") && master.isRunning)
        // The channel comes back by itself.
        let ups = { backup.log.components(separatedBy: "peer link up").count - 1 }
        #expect(bench.lab.wait(timeout: .seconds(5)) { ups() > upsBefore } != nil, "the channel broke and came back: \(backup.log)")
    }

    @Test func test_channelSilentlyDropped_vrrpUnchanged() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (_, backup) = try elect(bench)
        waitForPeerReport(bench, backup)
        let changesBefore = VRRPLab.stateChanges(backup)
        _ = try bench.lab.exec("n2", ["nft", "add table inet peercut"])
        _ = try bench.lab.exec("n2", ["nft", "add chain inet peercut in { type filter hook input priority 0 ; }"])
        _ = try bench.lab.exec("n2", ["nft", "add rule inet peercut in tcp dport \(Self.port) drop"])
        _ = try bench.lab.exec("n2", ["nft", "add rule inet peercut in tcp sport \(Self.port) drop"])
        #expect(bench.lab.wait(timeout: .seconds(5)) { backup.log.contains("nothing heard from the peer") } != nil, "\(backup.log)")
        #expect(VRRPLab.stateChanges(backup) == changesBefore)
        #expect(bench.holdsVIP("n1") && !bench.holdsVIP("n2"))
    }

    @Test func test_wrongKey_refusedAndLogged_vrrpStillFailsOver() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, backup) = try elect(bench, keyN2: "another-key-not-the-shared-one")
        let refused = bench.lab.wait(timeout: .seconds(5)) {
            backup.log.contains("peer connection refused") && backup.log.contains("authentication failed")
        }
        #expect(refused != nil, "\(backup.log)")
        #expect(!backup.log.contains("peer link up") && !master.log.contains("peer link up"))
        // Plain VRRP still works: the backup takes over after Master_Down_Interval.
        master.send(SIGKILL)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") } != nil)
    }

    @Test func test_masterStopped_ordinaryMasterDownInterval_thenExactlyOneMasterAfterCont() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let (master, backup) = try elect(bench)
        waitForPeerReport(bench, backup)
        let clock = ContinuousClock()
        let start = clock.now
        master.send(SIGSTOP)
        defer { master.send(SIGCONT) }
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") } != nil)
        let took = clock.now - start
        // Master_Down_Interval at priority 240, advert_int 1: 3 s + 16/256 s. No FIN came, so no shortcut.
        print("SIGSTOP takeover: \(took) (at least 3 s: no FIN)")
        #expect(took >= .milliseconds(2900))
        master.send(SIGCONT)
        let settled = bench.lab.wait(timeout: .seconds(5)) { bench.holdsVIP("n1") != bench.holdsVIP("n2") }
        #expect(settled != nil)
        // And it stays that way: never both, never none, over two advert intervals.
        #expect(bench.lab.wait(timeout: .seconds(2)) { bench.holdsVIP("n1") == bench.holdsVIP("n2") } == nil)
    }
}
