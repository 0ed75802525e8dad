import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// RFC 9568 §7.1 / RFC 3768 §7.1 on the wire: forged adverts from the client are dropped,
/// counted by reason, and change no state.
@Suite(.serialized) struct VRRPBadPacketTests {
    @Test func test_rfc9568_7_1_forgedAdvertsAreDroppedCountedAndChangeNothing() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let config = VRRPLab.hactlConf(version: 2, password: "1215")
        let master = try bench.startHactl("n1", role: "master", config: config)
        let backup = try bench.startHactl("n2", role: "backup", config: config)
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
        // The baseline is taken once both have logged their settled state.
        #expect(
            bench.lab.wait(timeout: .seconds(2)) {
                VRRPLab.transitions(in: master, to: "MASTER") == 1 && VRRPLab.transitions(in: backup, to: "BACKUP") >= 1
            } != nil)
        let forge = try bench.lab.writeFile("forge.py", VRRPPacketForge.script)
        try bench.lab.exec("client", ["ip", "route", "add", "224.0.0.0/4", "dev", "eth0"])
        let changesBefore = (VRRPLab.stateChanges(master), VRRPLab.stateChanges(backup))

        for kind in VRRPPacketForge.kinds {
            try bench.lab.exec("client", ["python3", forge, kind])
            for node in [master, backup] {
                let logged = bench.lab.wait(timeout: .seconds(2), interval: .milliseconds(20)) {
                    node.log.split(separator: "\n").contains { $0.contains("advertisement dropped") && $0.contains("reason=\(kind)") }
                }
                #expect(logged != nil, "\(node.name) did not report a \(kind) drop:\n\(node.log)")
            }
        }
        // Longer than Skew_Time, had a priority-255 packet been accepted the master would have yielded.
        bench.lab.wait(timeout: .milliseconds(300)) { false }
        #expect(VRRPLab.stateChanges(master) == changesBefore.0)
        #expect(VRRPLab.stateChanges(backup) == changesBefore.1)
        #expect(bench.holdsVIP("n1") && !bench.holdsVIP("n2"))
    }

    @Test func test_forgeControl_aValidPriority255AdvertDoesMoveTheMaster() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        // The forged packets above are wrong only where they say: the same packet made valid is obeyed.
        let bench = try VRRPLab()
        let config = VRRPLab.hactlConf(version: 2, password: "1215")
        let master = try bench.startHactl("n1", role: "master", config: config)
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") } != nil)
        let forge = try bench.lab.writeFile("forge.py", VRRPPacketForge.script)
        try bench.lab.exec("client", ["ip", "route", "add", "224.0.0.0/4", "dev", "eth0"])
        try bench.lab.exec("client", ["python3", forge, "valid"])
        #expect(bench.lab.wait(timeout: .seconds(2)) { VRRPLab.transitions(in: master, to: "BACKUP") > 1 } != nil)
        #expect(bench.lab.wait(timeout: .seconds(1)) { !bench.holdsVIP("n1") } != nil)
    }
}
