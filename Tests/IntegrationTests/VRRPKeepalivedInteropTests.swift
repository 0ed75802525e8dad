import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// keepalived 2.2.7 from Debian as the VRRP peer on the same bridge: v2 with PASS
/// authentication and v3, hactl as master and as backup; each side takes over when the other
/// is killed, and the higher priority preempts back when it returns.
@Suite(.serialized) struct VRRPKeepalivedInteropTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var version: Int
        var password: String?
        var hactlIsMaster: Bool
        var ipv6 = false
        var testDescription: String {
            "v\(version)\(ipv6 ? " IPv6" : "")\(password == nil ? "" : " PASS") hactl \(hactlIsMaster ? "master" : "backup")"
        }
        /// The VIP as `ip addr` shows it, and as the configuration writes it.
        var vip: String { ipv6 ? "fe80::5:100" : VRRPLab.vip }
        var vipWithPrefix: String { ipv6 ? "fe80::5:100/64" : "\(VRRPLab.vip)/24" }
    }

    static let cases = [
        Case(version: 2, password: "1215", hactlIsMaster: true),
        Case(version: 2, password: "1215", hactlIsMaster: false),
        Case(version: 3, password: nil, hactlIsMaster: true),
        Case(version: 3, password: nil, hactlIsMaster: false),
        Case(version: 3, password: nil, hactlIsMaster: true, ipv6: true),
        Case(version: 3, password: nil, hactlIsMaster: false, ipv6: true),
    ]

    static var keepalivedInstalled: Bool { (try? NamespaceLab.run(["keepalived", "--version"])) != nil }

    @Test(arguments: cases)
    func test_interop_electionFailoverAndPreemptionWithKeepalived(_ scenario: Case) throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        #expect(Self.keepalivedInstalled, "keepalived is installed by scripts/bootstrap")
        let bench = try VRRPLab(ipv6: scenario.ipv6)
        let hactlConfig = VRRPLab.hactlConf(
            version: scenario.version, password: scenario.password, vip: scenario.vipWithPrefix)
        let vip = scenario.vip
        // n1 is the master (priority 250), n2 the backup (240).
        let (hactlHost, keepalivedHost) = scenario.hactlIsMaster ? ("n1", "n2") : ("n2", "n1")
        let keepalivedConfig = VRRPLab.keepalivedConf(
            host: keepalivedHost, version: scenario.version, priority: scenario.hactlIsMaster ? 240 : 250,
            password: scenario.password, vip: scenario.vipWithPrefix)

        func startHactl() throws -> LabProcess {
            try bench.startHactl(hactlHost, role: scenario.hactlIsMaster ? "master" : "backup", config: hactlConfig)
        }
        var hactl = try startHactl()
        var keepalived = try bench.startKeepalived(keepalivedHost, config: keepalivedConfig)

        // Election: the priority-250 node holds the VIP, the other none.
        #expect(
            bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1", vip) && !bench.holdsVIP("n2", vip) } != nil,
            "\(hactl.log)\n\(keepalived.log)")
        #expect(bench.lab.wait(timeout: .milliseconds(1500)) { bench.holdsVIP("n2", vip) } == nil)

        // The master dies: the backup takes over within its Master_Down_Interval (+ margin).
        if scenario.hactlIsMaster { hactl.send(SIGKILL) } else { bench.killKeepalived(keepalivedHost, keepalived) }
        bench.expectWithin(
            .milliseconds(3063 + 150), "\(scenario.testDescription): takeover", timeout: .seconds(6), context: "\(hactl.log)\n\(keepalived.log)"
        ) { bench.holdsVIP("n2", vip) }

        // The master returns and preempts the backup.
        if scenario.hactlIsMaster { hactl = try startHactl() } else {
            keepalived = try bench.startKeepalived(keepalivedHost, config: keepalivedConfig)
        }
        #expect(
            bench.lab.wait(timeout: .seconds(10)) { bench.holdsVIP("n1", vip) && !bench.holdsVIP("n2", vip) } != nil,
            "\(hactl.log)\n\(keepalived.log)")

        // hactl rejected none of keepalived's adverts (version, checksum and PASS authentication agree).
        #expect(!hactl.log.contains("advertisement dropped"), "\(hactl.log)")
    }
}
