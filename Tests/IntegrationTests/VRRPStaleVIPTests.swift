import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10 part 2: a node whose hactl was SIGKILLed keeps its VIPs on eth0 and answers ARP for
/// them beside the new master. `hactl cleanup` (systemd's ExecStopPost) and a restart remove them.
@Suite(.serialized) struct VRRPStaleVIPTests {
    /// The MACs that answer one ARP request for the VIP from the client, collected for 300 ms.
    static func arpAnswerers(_ bench: VRRPLab) throws -> Set<String> {
        let script = """
            import socket, struct, time
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
            s.bind(("eth0", 0x0806))
            mac = open("/sys/class/net/eth0/address").read().strip()
            me = bytes.fromhex(mac.replace(":", ""))
            src = socket.inet_aton("\(bench.address["client"]!)")
            dst = socket.inet_aton("\(VRRPLab.vip)")
            arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + me + src + b"\\0" * 6 + dst
            s.send(b"\\xff" * 6 + me + b"\\x08\\x06" + arp)
            s.settimeout(0.05)
            end = time.monotonic() + 0.3
            seen = set()
            while time.monotonic() < end:
                try:
                    frame = s.recv(128)
                except socket.timeout:
                    continue
                if frame[12:14] == b"\\x08\\x06" and frame[20:22] == b"\\x00\\x02" and frame[28:32] == dst:
                    seen.add(frame[22:28].hex(":"))
            print(" ".join(sorted(seen)))
            """
        let output = try bench.lab.exec("client", ["python3", "-c", script])
        return Set(output.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    func killedMaster(_ bench: VRRPLab) throws -> String {
        let config = VRRPLab.hactlConf()
        let master = try bench.startHactl("n1", role: "master", config: config)
        _ = try bench.startHactl("n2", role: "backup", config: config)
        #expect(bench.lab.wait(timeout: .seconds(12)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
        master.send(SIGKILL)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") } != nil)
        // What the issue is about: the dead node still holds the VIP and answers ARP for it.
        #expect(bench.holdsVIP("n1"), "SIGKILL leaves the VIP on the dead node")
        return try bench.lab.writeFile("n1-cleanup.conf", config)
    }

    @Test func test_cleanupAfterSigkill_removesTheVIP_idempotently_andOnlyTheNewMasterAnswersARP() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let file = try killedMaster(bench)
        let addressesBefore = bench.lab.addresses("n1")
        // As systemd runs ExecStopPost.
        let first = try bench.lab.exec("n1", [VRRPLab.hactlBinary, "cleanup", "-f", file])
        #expect(first.contains("removed \(VRRPLab.vip)/24 dev eth0"), "\(first)")
        #expect(!bench.holdsVIP("n1"))
        // Nothing but the VIP went: the node's own address stays.
        #expect(bench.lab.addresses("n1") == addressesBefore.filter { $0 != VRRPLab.vip })
        // Idempotent: a second run exits 0 (exec throws otherwise) and removes nothing.
        let second = try bench.lab.exec("n1", [VRRPLab.hactlBinary, "cleanup", "-f", file])
        #expect(second.contains("0 removed, 1 already absent"), "\(second)")
        #expect(try Self.arpAnswerers(bench) == [bench.lab.macAddress("n2")])
        #expect(bench.holdsVIP("n2"))
    }

    @Test func test_restartAfterSigkill_removesTheStaleVIPBeforeBackupAndLogsIt() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        _ = try killedMaster(bench)
        // Restarted below n2's priority, so it stays BACKUP: the VIP must not stay with it.
        let restarted = try bench.startHactl("n1", role: "backup", config: VRRPLab.hactlConf(), arguments: ["--priority", "100"])
        #expect(bench.lab.wait(timeout: .seconds(5)) { VRRPLab.transitions(in: restarted, to: "BACKUP") > 0 } != nil)
        #expect(!bench.holdsVIP("n1"))
        #expect(restarted.log.contains("removing stale virtual address"), "\(restarted.log)")
        #expect(try Self.arpAnswerers(bench) == [bench.lab.macAddress("n2")])
    }
}
