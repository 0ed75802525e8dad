import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// keepalived's tracking and notify on real nodes: vrrp_script, the primary interface's link,
/// notify scripts, vrrp_sync_group, and VRRPv3 over IPv6.
@Suite(.serialized) struct VRRPTrackingTests {
    @Test func test_trackScriptWeightZeroFailing_masterGoesFaultResignsAndPeerTakesOverInSkewTime() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let flag = bench.lab.runDirectory + "/n1-up"
        try "up".write(toFile: flag, atomically: true, encoding: .utf8)
        let n1Config = VRRPLab.hactlConf(
            extra: ["track_script chk_up"],
            sections: ["vrrp_script chk_up", "    script \"/usr/bin/test -e \(flag)\"", "    interval 1", "    weight 0"])
        let master = try bench.startHactl("n1", role: "master", config: n1Config)
        try bench.startHactl("n2", role: "backup", config: VRRPLab.hactlConf())
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") } != nil, "\(master.log)")

        try FileManager.default.removeItem(atPath: flag)
        // The script runs every second; once it fails n1 enters FAULT with a priority-0 advert.
        #expect(bench.lab.wait(timeout: .seconds(3)) { VRRPLab.transitions(in: master, to: "FAULT") > 0 } != nil)
        #expect(master.log.contains("track_script chk_up failed"), "\(master.log)")
        #expect(bench.lab.wait(timeout: .milliseconds(200)) { bench.holdsVIP("n2") } != nil)
        #expect(!bench.holdsVIP("n1"))

        try "up".write(toFile: flag, atomically: true, encoding: .utf8)
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
    }

    @Test func test_primaryInterfaceCarrierLoss_masterGoesFault_andComesBackWhenLinkReturns() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let master = try bench.startHactl("n1", role: "master", config: VRRPLab.hactlConf())
        try bench.startHactl("n2", role: "backup", config: VRRPLab.hactlConf())
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") } != nil)
        try NamespaceLab.run(["ip", "-n", bench.lab.namespace("lan"), "link", "set", "n1-p", "down"])
        #expect(bench.lab.wait(timeout: .seconds(2)) { VRRPLab.transitions(in: master, to: "FAULT") > 0 } != nil)
        #expect(bench.lab.wait(timeout: .seconds(1)) { !bench.holdsVIP("n1") } != nil)
        #expect(bench.lab.wait(timeout: .seconds(5)) { bench.holdsVIP("n2") } != nil)
        try NamespaceLab.run(["ip", "-n", bench.lab.namespace("lan"), "link", "set", "n1-p", "up"])
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
    }

    @Test func test_notify_getsTypeNameStatePriority_andNotifyMasterRuns() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let record = bench.lab.runDirectory + "/notify.txt"
        let script = try bench.lab.writeFile("notify.sh", "#!/bin/sh\necho \"$@\" >> \(record)\n")
        chmod(script, 0o755)
        let master = try bench.startHactl(
            "n1", role: "master",
            config: VRRPLab.hactlConf(extra: ["notify \(script)", "notify_master \"\(script) became-master\""]))
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") } != nil)
        let recorded = bench.lab.wait(timeout: .seconds(3), interval: .milliseconds(20)) {
            let text = (try? String(contentsOfFile: record, encoding: .utf8)) ?? ""
            return text.contains("INSTANCE VI_1 MASTER 250") && text.contains("became-master")
        }
        #expect(recorded != nil, "\((try? String(contentsOfFile: record, encoding: .utf8)) ?? "")\n\(master.log)")
        let text = (try? String(contentsOfFile: record, encoding: .utf8)) ?? ""
        #expect(text.contains("INSTANCE VI_1 BACKUP 250"))
    }

    @Test func test_syncGroup_oneInstanceInFaultTakesTheWholeGroupToTheOtherNode() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let flag = bench.lab.runDirectory + "/n1-up"
        try "up".write(toFile: flag, atomically: true, encoding: .utf8)
        func config(tracked: Bool) -> String {
            Self.syncGroupConfig(vi2Lines: tracked ? ["track_script chk_up"] : []) + """

            vrrp_script chk_up
                script "/usr/bin/test -e \(flag)"
                interval 1
                weight 0

            """
        }
        let master = try bench.startHactl("n1", role: "master", config: config(tracked: true))
        try bench.startHactl("n2", role: "backup", config: config(tracked: false))
        #expect(
            bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") && bench.holdsVIP("n1", "198.18.0.101") } != nil,
            "\(master.log)")
        try FileManager.default.removeItem(atPath: flag)
        // VI_2's script fails; VI_1 follows it into FAULT, and n2 takes both addresses.
        let moved = bench.lab.wait(timeout: .seconds(4)) {
            bench.holdsVIP("n2") && bench.holdsVIP("n2", "198.18.0.101") && !bench.holdsVIP("n1")
                && !bench.holdsVIP("n1", "198.18.0.101")
        }
        #expect(moved != nil, "\(master.log)")
        #expect(bench.lab.wait(timeout: .seconds(1)) { VRRPLab.transitions(in: master, to: "FAULT") == 2 } != nil)
    }

    @Test func test_syncGroupTrackInterfaceDown_takesBothToFault_andLinkUpBringsBothOutWithTheirVIPs() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        // trk0: a veth in n1 that VI_2 tracks (weight 0: down means FAULT); its peer trk0p, also in
        // n1, going down takes trk0's carrier with it.
        let n1 = bench.lab.namespace("n1")
        try NamespaceLab.run(["ip", "-n", n1, "link", "add", "trk0", "type", "veth", "peer", "name", "trk0p"])
        try NamespaceLab.run(["ip", "-n", n1, "link", "set", "trk0", "up"])
        try NamespaceLab.run(["ip", "-n", n1, "link", "set", "trk0p", "up"])
        let master = try bench.startHactl("n1", role: "master", config: Self.syncGroupConfig(vi2Lines: ["track_interface trk0"]))
        try bench.startHactl("n2", role: "backup", config: Self.syncGroupConfig(vi2Lines: []))
        func holdsBoth(_ host: String) -> Bool { bench.holdsVIP(host) && bench.holdsVIP(host, "198.18.0.101") }
        func holdsNone(_ host: String) -> Bool { !bench.holdsVIP(host) && !bench.holdsVIP(host, "198.18.0.101") }
        #expect(bench.lab.wait(timeout: .seconds(10)) { holdsBoth("n1") && holdsNone("n2") } != nil, "\(master.log)")

        try NamespaceLab.run(["ip", "-n", n1, "link", "set", "trk0p", "down"])
        #expect(bench.lab.wait(timeout: .seconds(4)) { holdsBoth("n2") && holdsNone("n1") } != nil, "\(master.log)")
        #expect(bench.lab.wait(timeout: .seconds(1)) { VRRPLab.transitions(in: master, to: "FAULT") == 2 } != nil)

        // Both members leave FAULT for BACKUP (VI_1 was held by the group only) and, at priority
        // 250 against n2's 240, take both addresses back after Master_Down_Interval.
        try NamespaceLab.run(["ip", "-n", n1, "link", "set", "trk0p", "up"])
        let back = bench.lab.wait(timeout: .seconds(8)) { holdsBoth("n1") && holdsNone("n2") }
        #expect(back != nil, "\(master.log)")
        let leftFault = master.log.split(separator: "\n").filter {
            $0.contains(") Entering ") && $0.contains("from=FAULT") && $0.contains("to=BACKUP")
        }
        #expect(leftFault.contains { $0.contains("instance=VI_1") } && leftFault.contains { $0.contains("instance=VI_2") }, "\(master.log)")
    }

    @Test func test_trackFileValueTimesWeightBelowMinus253_isFault_masterResignsAndDropsTheVIPAtOnce() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let file = bench.lab.runDirectory + "/n1-weight"
        try "0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let n1Config = VRRPLab.hactlConf(
            extra: ["track_file degraded"], sections: ["vrrp_track_file degraded", "    file \(file)", "    weight -10"])
        let master = try bench.startHactl("n1", role: "master", config: n1Config)
        try bench.startHactl("n2", role: "backup", config: VRRPLab.hactlConf())
        #expect(bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
        // 30 × -10 = -300 < -253: FAULT, not a priority clamped to 1. The file is read every second;
        // the priority-0 advert hands the VIP to n2 within its Skew_Time.
        try "30\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(bench.lab.wait(timeout: .seconds(3)) { VRRPLab.transitions(in: master, to: "FAULT") == 1 } != nil, "\(master.log)")
        #expect(bench.lab.wait(timeout: .milliseconds(500)) { !bench.holdsVIP("n1") && bench.holdsVIP("n2") } != nil)
        #expect(master.log.contains("tracker fault"), "\(master.log)")
        try "0\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(bench.lab.wait(timeout: .seconds(8)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil, "\(master.log)")
    }

    @Test func test_rfc9568_v3OverIPv6_electionAndResignationWithLinkLocalVIP() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab(ipv6: true)
        // RFC 9568 §7.2: an IPv6 virtual router's first address is link-local; only fe80::/64 here.
        let vip = "fe80::5:100"
        let config = VRRPLab.hactlConf(version: 3, vip: "\(vip)/64")
        let master = try bench.startHactl("n1", role: "master", config: config)
        try bench.startHactl("n2", role: "backup", config: config)
        #expect(
            bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1", vip) && !bench.holdsVIP("n2", vip) } != nil,
            "\(master.log)")
        #expect(bench.lab.wait(timeout: .milliseconds(1500)) { bench.holdsVIP("n2", vip) } == nil)
        master.send(SIGTERM)
        bench.expectWithin(.milliseconds(163), "IPv6 SIGTERM takeover", timeout: .seconds(5)) { bench.holdsVIP("n2", vip) }
    }

    @Test func test_trackFileNegativeWeight_lowersPriorityBelowThePeer_whichPreempts_andRestoresIt() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        let file = bench.lab.runDirectory + "/n1-weight"
        try "0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let n1Config = VRRPLab.hactlConf(
            extra: ["track_file degraded"],
            sections: ["vrrp_track_file degraded", "    file \(file)", "    weight -20"])
        let master = try bench.startHactl("n1", role: "master", config: n1Config)
        try bench.startHactl("n2", role: "backup", config: VRRPLab.hactlConf())
        #expect(bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil)
        // 250 - 1 × 20 = 230 < 240: n2 discards n1's adverts and preempts after its Master_Down_Interval.
        try "1\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") && !bench.holdsVIP("n1") } != nil, "\(master.log)")
        // The VIP leaves before the transition is logged: wait for the line rather than read it once.
        let reason = "higher priority advert from 198.18.0.11 (priority 240)"
        #expect(bench.lab.wait(timeout: .seconds(1)) { master.log.contains(reason) } != nil, "\(master.log)")
        // Back to 0: n1 is 250 again and preempts n2.
        try "0\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n1") && !bench.holdsVIP("n2") } != nil, "\(master.log)")
    }

    @Test func test_syncGroup_oneInstanceBecomingMasterTakesTheOthersWithIt() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let bench = try VRRPLab()
        func config(vi2Priority: Int?) -> String {
            Self.syncGroupConfig(vi2Lines: vi2Priority.map { ["priority \($0)"] } ?? [])
        }
        let master = try bench.startHactl("n1", role: "master", config: config(vi2Priority: nil))
        // On n2, VI_2 alone would wait 3 s + (256 - 100)/256 s; the group moves it with VI_1 (3.06 s).
        let backup = try bench.startHactl("n2", role: "backup", config: config(vi2Priority: 100))
        #expect(
            bench.lab.wait(timeout: .seconds(10)) {
                bench.holdsVIP("n1") && bench.holdsVIP("n1", "198.18.0.101") && !bench.holdsVIP("n2")
            } != nil)
        master.send(SIGKILL)
        #expect(bench.lab.wait(timeout: .seconds(6)) { bench.holdsVIP("n2") && bench.holdsVIP("n2", "198.18.0.101") } != nil)
        let followed = bench.lab.wait(timeout: .seconds(2)) {
            backup.log.split(separator: "\n").contains {
                $0.contains("instance=VI_2") && $0.contains("to=MASTER") && $0.contains("sync group G follows VI_1")
            }
        }
        #expect(followed != nil, "\(backup.log)")
    }

    /// Two v3 instances in sync group G on eth0 (VI_1: 198.18.0.100, VI_2: 198.18.0.101), with
    /// `vi2Lines` added to VI_2.
    static func syncGroupConfig(vi2Lines: [String]) -> String {
        """
        global
            vrrp_version 3

        vrrp_sync_group G
            group VI_1 VI_2

        vrrp_instance VI_1
            interface eth0
            virtual_router_id 51
            advert_int 1
            virtual_ipaddress 198.18.0.100/24
            no track_proxy

        vrrp_instance VI_2
            interface eth0
            virtual_router_id 52
            advert_int 1
            virtual_ipaddress 198.18.0.101/24
            no track_proxy
        """ + vi2Lines.map { "\n    \($0)" }.joined() + "\n"
    }
}
