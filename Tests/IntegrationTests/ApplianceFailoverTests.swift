import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two real hactl nodes with the same file, `--role master` and `--role backup`, on a bridge in
/// network namespaces: the roles decide who holds the VIP, and a graceful stop hands it over.
@Suite(.serialized) struct ApplianceFailoverTests {
    static let vip = "198.18.1.10"
    static let configuration = """
        vrrp_instance VI_1
            interface eth0
            virtual_router_id 61
            advert_int 1
            virtual_ipaddress \(vip)/24 dev eth0

        """

    @Test func test_sameFile_rolesPickTheMaster_andSigtermHandsTheVIPToTheBackup() async throws {
        guard let pair = try HAPairLab.make(subnet: 1, configuration: Self.configuration) else { return }
        let lab = pair.lab
        defer { lab.destroy() }
        let (file, notify1, notify2) = (pair.file, pair.notify1, pair.notify2)
        let lb1 = try RunHactlProcess(in: lab, "lb1", role: "master", file: file, notify: notify1)
        let lb2 = try RunHactlProcess(in: lab, "lb2", role: "backup", file: file, notify: notify2)
        #expect(notify1.waitFor("READY=1", timeout: .seconds(20)), "lb1: \(lb1.standardError)")
        #expect(notify2.waitFor("READY=1", timeout: .seconds(20)), "lb2: \(lb2.standardError)")

        // keepalived 2.x semantics: MASTER below 255 starts as BACKUP and takes over after
        // Master_Down_Interval (3 × 1 s + skew) unless it hears a higher priority.
        // Both may pass through MASTER while their Master_Down timers race; wait for the outcome.
        #expect(notify1.waitForStatus(timeout: .seconds(10)) { $0 == "MASTER VI_1" }, "lb1: \(lb1.standardError)")
        #expect(notify2.waitForStatus(timeout: .seconds(10)) { $0 == "BACKUP VI_1" }, "lb2: \(lb2.standardError)")
        #expect(lab.wait(timeout: .seconds(5)) { lab.holds("lb1", Self.vip) && !lab.holds("lb2", Self.vip) } != nil)

        let stoppedAt = ContinuousClock.now
        lb1.signal(SIGTERM)
        #expect(notify2.waitForStatus(timeout: .seconds(5)) { $0 == "MASTER VI_1" }, "lb2: \(lb2.standardError)")
        let handover = ContinuousClock.now - stoppedAt
        print("ApplianceFailoverTests: SIGTERM on the master → backup MASTER in \(handover)")
        #expect(await lb1.waitForExit(timeout: .seconds(10)) == 0, "lb1: \(lb1.standardError)")
        #expect(lab.holds("lb2", Self.vip))
        #expect(!lab.holds("lb1", Self.vip), "a stopped master must remove its VIP")
        // The backup took over on the priority-0 advert (Skew_Time, ~62 ms at priority 240),
        // not after Master_Down_Interval (3 s): well under one second even on a busy machine.
        #expect(handover < .seconds(1))

        lb2.signal(SIGTERM)
        #expect(await lb2.waitForExit(timeout: .seconds(10)) == 0, "lb2: \(lb2.standardError)")
        await lb1.stop()
        await lb2.stop()
    }

    @Test func test_priorityFlag_beatsTheRole_andTheOverrideIsLoggedOnce() async throws {
        guard let pair = try HAPairLab.make(subnet: 1, configuration: Self.configuration) else { return }
        let lab = pair.lab
        defer { lab.destroy() }
        let (file, notify1, notify2) = (pair.file, pair.notify1, pair.notify2)
        // --role master, but --priority 100 is below the backup role's 240: lb2 must win.
        let lb1 = try RunHactlProcess(in: lab, "lb1", role: "master", file: file, notify: notify1, arguments: ["--priority", "100"])
        let lb2 = try RunHactlProcess(in: lab, "lb2", role: "backup", file: file, notify: notify2)
        defer {
            lb1.signal(SIGKILL)
            lb2.signal(SIGKILL)
        }
        #expect(notify2.waitForStatus(timeout: .seconds(15)) { $0 == "MASTER VI_1" }, "lb2: \(lb2.standardError)")
        #expect(notify1.waitForStatus(timeout: .seconds(15)) { $0 == "BACKUP VI_1" }, "lb1: \(lb1.standardError)")
        #expect(lab.wait(timeout: .seconds(5)) { lab.holds("lb2", Self.vip) && !lab.holds("lb1", Self.vip) } != nil)
        let overrides = lb1.standardError.split(separator: "\n").filter { $0.contains("role default overridden") }
        #expect(overrides.count == 1, "lb1: \(lb1.standardError)")
        #expect(overrides.first?.contains("source=\"command line\"") == true)
        #expect(overrides.first?.contains("value=100") == true)
        #expect(!lb2.standardError.contains("role default overridden"))

        lb1.signal(SIGTERM)
        lb2.signal(SIGTERM)
        #expect(await lb1.waitForExit(timeout: .seconds(10)) == 0)
        #expect(await lb2.waitForExit(timeout: .seconds(10)) == 0)
        await lb1.stop()
        await lb2.stop()
    }
}
