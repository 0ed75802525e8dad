import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10, `vrrp_witness`: three hosts on one bridge — n1 (master, 250), n2 (backup) and the
/// witness (the lab's third host, 198.18.0.12, whose kernel answers the echo probes). Cuts are
/// silent (bridge port state 0: carrier stays up, no frame passes), the case that makes split
/// brain without a witness.
@Suite(.serialized) struct VRRPWitnessTests {
    static let witness = "198.18.0.12"

    /// The peer's address comes from `unicast_peer` lines (unicast adverts) or, with
    /// `peersSection`, from a `peers` section (multicast adverts, and the peer link up counts as
    /// the peer reached).
    static func config(fall: Int = 3, peersSection keyFile: String? = nil) -> String {
        guard let keyFile else {
            return VRRPLab.hactlConf(extra: [
                "unicast_peer 198.18.0.10", "unicast_peer 198.18.0.11", "vrrp_witness \(witness) fall \(fall)",
            ])
        }
        return VRRPLab.hactlConf(
            extra: ["vrrp_witness \(witness) fall \(fall)"],
            sections: ["peers pair", "    peer n1 198.18.0.10:7110", "    peer n2 198.18.0.11:7110", "    peer-key \(keyFile)"])
    }

    /// n1 master, n2 backup, both probing the witness.
    func startPair(fall: Int = 3, n2Priority: Int? = nil, peersSection: Bool = false) throws -> (VRRPLab, LabProcess, LabProcess) {
        let bench = try VRRPLab()
        let key = peersSection ? try bench.lab.writeFile("pair.key", "0123456789abcdef0123456789abcdef\n") : nil
        let n1 = try bench.startHactl("n1", role: "master", config: Self.config(fall: fall, peersSection: key))
        let n2 = try bench.startHactl(
            "n2", role: "backup", config: Self.config(fall: fall, peersSection: key),
            arguments: n2Priority.map { ["--priority", "\($0)"] } ?? [])
        let elected = bench.lab.wait(timeout: .seconds(12)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") }
        #expect(elected != nil, "n1 never became the only master:\nn1: \(n1.log)\nn2: \(n2.log)")
        #expect(n1.log.contains("witness probing") && n2.log.contains("witness probing"))
        return (bench, n1, n2)
    }

    /// Watches for `duration` that `condition` never holds; false (with the elapsed time
    /// printed) the moment it does.
    static func never(_ bench: VRRPLab, for duration: Duration, _ what: String, _ condition: () -> Bool) -> Bool {
        if let after = bench.lab.wait(timeout: duration, interval: .milliseconds(5), condition) {
            print("\(what) after \(after)")
            return false
        }
        return true
    }

    /// The `witness` object of the first instance in `hactl status --json` on `host`.
    static func witnessStatus(_ bench: VRRPLab, _ host: String) throws -> [String: Any]? {
        let status = try ControlPlaneTests.statusJSON("\(bench.lab.runDirectory)/\(host).sock")
        return ControlPlaneTests.instance(status)["witness"] as? [String: Any]
    }

    /// (a) The master is cut from both its peer and the witness: it releases the VIP, the backup
    /// (which still reaches the witness) takes it, and one node holds it.
    @Test func test_masterCutFromPeerAndWitness_releasesVIP_backupTakesIt() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (bench, n1, n2) = try startPair()
        defer { bench.lab.destroy() }
        let cutAt = ContinuousClock.now
        try bench.lab.cut("n1")
        let settled = bench.lab.wait(timeout: .seconds(12)) { bench.holdsVIP("n2") && !bench.holdsVIP("n1") }
        #expect(settled != nil, "not exactly one holder:\nn1: \(n1.log)\nn2: \(n2.log)")
        print("witness (a): isolated master released and backup holds the VIP \(ContinuousClock.now - cutAt) after the cut")
        // The VIP goes before the transition's log lines are written: wait for them, with a deadline.
        _ = bench.lab.wait(timeout: .seconds(2)) {
            VRRPLab.transitions(in: n1, to: "FAULT") >= 1 && n1.log.contains("vrrp_witness \(Self.witness): isolated")
        }
        #expect(VRRPLab.transitions(in: n1, to: "FAULT") == 1, "\(n1.log)")
        #expect(n1.log.contains("vrrp_witness \(Self.witness): isolated"), "\(n1.log)")
        #expect(n2.log.contains("claim confirmed"), "\(n2.log)")
        // hactl status (over the control socket, which no cut reaches) says why.
        let witness = try Self.witnessStatus(bench, "n1")
        #expect(witness?["isolated"] as? Bool == true, "\(String(describing: witness))")
        #expect(witness?["reachable"] as? Bool == false)
        #expect(witness?["peer_reachable"] as? Bool == false)
        // And it stays that way: the isolated node does not claim again while cut off.
        #expect(Self.never(bench, for: .seconds(4), "n1 took the VIP back while cut off") { bench.holdsVIP("n1") })
        #expect(bench.holdsVIP("n2"))
    }

    /// (b) The backup is cut from both: it does not claim (it would without a witness, after
    /// Master_Down_Interval); it says why, and enters FAULT. The master keeps the VIP. `fall 6`
    /// keeps the FAULT verdict later than the first Master_Down_Timer expiry (≈3 s), so the
    /// claim check itself is what holds the backup back, twice, before FAULT does.
    @Test func test_backupCutFromPeerAndWitness_doesNotClaim() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (bench, n1, n2) = try startPair(fall: 6)
        defer { bench.lab.destroy() }
        try bench.lab.cut("n2")
        #expect(Self.never(bench, for: .seconds(10), "the cut-off backup claimed the VIP") { bench.holdsVIP("n2") }, "\(n2.log)")
        #expect(VRRPLab.transitions(in: n2, to: "MASTER") == 0, "\(n2.log)")
        let withheld = n2.log.split(separator: "\n").filter { $0.contains("not claiming MASTER") }.count
        #expect(withheld >= 1, "\(n2.log)")
        #expect(VRRPLab.transitions(in: n2, to: "FAULT") == 1, "\(n2.log)")
        #expect(bench.holdsVIP("n1"), "\(n1.log)")
        #expect(VRRPLab.transitions(in: n1, to: "FAULT") == 0, "\(n1.log)")
        // Healed, it comes back as BACKUP, never MASTER.
        try bench.lab.heal("n2")
        #expect(bench.lab.wait(timeout: .seconds(6)) { VRRPLab.transitions(in: n2, to: "BACKUP") >= 2 } != nil, "\(n2.log)")
        #expect(Self.never(bench, for: .seconds(3), "n2 claimed after the heal") { bench.holdsVIP("n2") })
    }

    /// (c) The witness alone is lost: both nodes still reach each other, so nothing moves; each
    /// logs the loss.
    @Test func test_witnessAloneLost_noTransitionOnEitherNode() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (bench, n1, n2) = try startPair()
        defer { bench.lab.destroy() }
        let before = (VRRPLab.stateChanges(n1), VRRPLab.stateChanges(n2))
        try bench.lab.cut("client")
        // Three times `fall` rounds: long enough for the rule to have isolated a node, were it wrong.
        #expect(Self.never(bench, for: .seconds(9), "a node moved with only the witness lost") {
            VRRPLab.stateChanges(n1) != before.0 || VRRPLab.stateChanges(n2) != before.1 || !bench.holdsVIP("n1")
                || bench.holdsVIP("n2")
        }, "n1: \(n1.log)\nn2: \(n2.log)")
        #expect(n1.log.contains("witness lost") && n2.log.contains("witness lost"))
        for host in ["n1", "n2"] {
            let witness = try Self.witnessStatus(bench, host)
            #expect(witness?["reachable"] as? Bool == false, "\(host): \(String(describing: witness))")
            #expect(witness?["peer_reachable"] as? Bool == true)
            #expect(witness?["isolated"] as? Bool == false)
        }
        let text = try ControlPlaneTests.hactl(["status", "-S", "\(bench.lab.runDirectory)/n1.sock"]).stdout
        #expect(text.contains("witness \(Self.witness) unreachable, peer reachable"), "\(text)")
        try bench.lab.heal("client")
        #expect(bench.lab.wait(timeout: .seconds(4)) { n1.log.contains("witness answers again") } != nil)
    }

    /// (d) After (a) has settled (n1 in FAULT, n2 master), the link returns: n1 leaves FAULT,
    /// preempts, and one master remains.
    @Test func test_healAfterMasterIsolated_oneMaster() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (bench, n1, n2) = try startPair()
        defer { bench.lab.destroy() }
        try bench.lab.cut("n1")
        #expect(bench.lab.wait(timeout: .seconds(12)) { bench.holdsVIP("n2") && VRRPLab.transitions(in: n1, to: "FAULT") == 1 } != nil)
        let healedAt = ContinuousClock.now
        try bench.lab.heal("n1")
        let one = bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") }
        #expect(one != nil, "n1: \(n1.log)\nn2: \(n2.log)")
        print("witness (d): n1 the only master again \(ContinuousClock.now - healedAt) after the heal")
        #expect(Self.never(bench, for: .seconds(3), "two holders after the heal") { bench.holdsVIP("n2") })
    }

    /// (d) Heal while both are still MASTER (fall 10 keeps the isolated n1 claiming long
    /// enough), right after one node's advert so the other's crosses first; both orders. n2 runs
    /// at priority 128 so its adverts are half an interval out of phase with n1's. Multicast
    /// adverts (a `peers` section gives the peer's address): unicast ones to a cut-off peer wait
    /// on ARP and never leave the node, so there would be no advert to time the heal on.
    @Test(arguments: ["n1", "n2"])
    func test_healWhileBothMaster_eitherAdvertFirst_oneMaster(after host: String) throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (bench, n1, n2) = try startPair(fall: 10, n2Priority: 128, peersSection: true)
        defer { bench.lab.destroy() }
        var captures: [String: LabProcess] = [:]
        for node in ["n1", "n2"] {
            captures[node] = try bench.lab.spawn(
                "lan", ["tcpdump", "-l", "--immediate-mode", "-n", "-tt", "-i", "\(node)-p", "-Q", "in", "ip proto 112"],
                name: "\(node)-adverts")
        }
        /// Epoch times of the adverts a node sent (tcpdump -tt).
        let adverts = { (node: String) -> [Double] in
            captures[node]!.log.split(separator: "\n").filter { $0.contains("VRRP") }.compactMap { Double($0.split(separator: " ")[0]) }
        }
        try bench.lab.cut("n1")
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n2") && bench.holdsVIP("n1") } != nil, "\(n2.log)")
        bench.lab.wait(timeout: .seconds(1)) { false }
        let seen = adverts(host).count
        #expect(bench.lab.wait(timeout: .seconds(3), interval: .milliseconds(1)) { adverts(host).count > seen } != nil)
        let healedAt = ContinuousClock.now
        let healedEpoch = Date().timeIntervalSince1970
        try bench.lab.heal("n1")
        let one = bench.lab.wait(timeout: .seconds(4)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") }
        #expect(one != nil, "n1: \(n1.log)\nn2: \(n2.log)")
        print("witness (d), heal after \(host)'s advert: one master \(ContinuousClock.now - healedAt) after the heal")
        #expect(Self.never(bench, for: .seconds(3), "two holders after the heal") { bench.holdsVIP("n2") || !bench.holdsVIP("n1") })
        // The order under test happened: the other node's advert was the first to cross.
        let first1 = adverts("n1").first { $0 >= healedEpoch } ?? .infinity
        let first2 = adverts("n2").first { $0 >= healedEpoch } ?? .infinity
        #expect((first1 < first2 ? "n1" : "n2") != host, "first adverts after the heal: n1 \(first1), n2 \(first2)")
        #expect(VRRPLab.transitions(in: n1, to: "FAULT") == 0, "\(n1.log)")
    }
}
