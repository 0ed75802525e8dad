import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP on a running MASTER applies VRRP changes as a diff: an instance the file did not
/// change sees nothing (no transition, no VIP gap), and a VIP added to a master's list appears
/// without a transition. Two hactl nodes and a client on a bridge.
@Suite(.serialized) struct VRRPReloadTests {
    static let vip2 = "198.18.0.101"
    static let addedVIP = "198.18.0.102"

    /// VI_1 carries the client's VIP; VI_2 and the frontend are what the reloads change.
    static func configuration(vi2Priority: Int, clientTimeout: Int, extraVIP: String? = nil) -> String {
        VRRPLab.hactlConf(
            extra: extraVIP.map { ["virtual_ipaddress \($0)/24"] } ?? [],
            sections: [
                "vrrp_instance VI_2",
                "    interface eth0",
                "    virtual_router_id 52",
                "    advert_int 1",
                "    priority \(vi2Priority)",
                "    virtual_ipaddress \(vip2)/24",
                "    no track_proxy",
                "",
                "defaults",
                "    mode http",
                "    timeout connect 1s",
                "    timeout server 5s",
                "",
                "frontend web",
                "    bind 127.0.0.1:18080",
                "    timeout client \(clientTimeout)s",
                "    default_backend app",
                "",
                "backend app",
                "    server app1 127.0.0.1:18081",
                "",
            ])
    }

    /// Lines of the log that report a state change of `instance`.
    static func stateChanges(_ process: LabProcess, instance: String) -> Int {
        process.log.split(separator: "\n").filter { $0.contains(") Entering ") && $0.contains("instance=\(instance)") }.count
    }

    static func reloadsApplied(_ process: LabProcess) -> Int {
        process.log.split(separator: "\n").filter { $0.contains("reload applied") }.count
    }

    @Test func test_twentyReloadsOnTheMaster_neverTouchTheUnchangedInstance_andAVIPAddedByReloadAppearsWithoutATransition() throws {
        guard NamespaceLab.isAvailable else { return }
        let lab = try VRRPLab()
        let n1 = try lab.startHactl("n1", role: "master", config: Self.configuration(vi2Priority: 245, clientTimeout: 5))
        let n2 = try lab.startHactl("n2", role: "backup", config: Self.configuration(vi2Priority: 235, clientTimeout: 5))
        defer {
            n1.stop()
            n2.stop()
        }
        try lab.startResponder("n1")
        try lab.startResponder("n2")
        #expect(lab.lab.wait(timeout: .seconds(15)) { lab.holdsVIP("n1") && lab.holdsVIP("n1", Self.vip2) && lab.request() == "n1" } != nil, "n1: \(n1.log)")
        #expect(!lab.holdsVIP("n2"))
        let vi1Changes = Self.stateChanges(n1, instance: "VI_1")
        #expect(vi1Changes >= 2, "INIT → BACKUP → MASTER is logged: \(n1.log)")
        let n2Changes = VRRPLab.stateChanges(n2)

        // The client asks the VIP without pause while the master reloads.
        let stop = Atomic<Bool>(false)
        let results = Mutex<(ok: Int, failed: [String])>((0, []))
        let client = Thread {
            while !stop.load(ordering: .relaxed) {
                let answer = lab.request()
                results.withLock { if answer == "n1" { $0.ok += 1 } else { $0.failed.append(answer ?? "no answer") } }
            }
        }
        client.start()
        defer { stop.store(true, ordering: .relaxed) }

        let path = "\(lab.lab.runDirectory)/n1.conf"
        var (priority, timeout) = (245, 5)
        for round in 1...20 {
            // Odd rounds change VI_2's priority, even rounds only a proxy setting.
            if round % 2 == 1 { priority = priority == 246 ? 247 : 246 } else { timeout += 1 }
            try Self.configuration(vi2Priority: priority, clientTimeout: timeout).write(toFile: path, atomically: true, encoding: .utf8)
            let (applied, answered) = (Self.reloadsApplied(n1), results.withLock { $0.ok })
            n1.send(SIGHUP)
            #expect(lab.lab.wait(timeout: .seconds(10)) { Self.reloadsApplied(n1) > applied } != nil, "round \(round): \(n1.log)")
            // The client got through between this reload and the next.
            #expect(lab.lab.wait(timeout: .seconds(5)) { results.withLock { $0.ok } > answered } != nil)
        }
        let appliedLines = n1.log.split(separator: "\n").filter { $0.contains("reload applied") }
        #expect(appliedLines.filter { $0.contains("vrrp_instance VI_2") && $0.contains("applied live") }.count == 10, "\(appliedLines)")
        #expect(!n1.log.contains("needs a restart"), "n1: \(n1.log)")
        let before = results.withLock { $0.ok }
        #expect(lab.lab.wait(timeout: .seconds(5)) { results.withLock { $0.ok } > before + 2 } != nil)
        stop.store(true, ordering: .relaxed)
        let (ok, failed) = results.withLock { $0 }
        print("VRRPReloadTests: \(ok) requests answered by the master during 20 reloads, \(failed.count) not")
        #expect(failed.isEmpty, "requests not answered by n1: \(failed.prefix(5))")
        #expect(Self.stateChanges(n1, instance: "VI_1") == vi1Changes, "n1: \(n1.log)")
        #expect(Self.stateChanges(n1, instance: "VI_2") == Self.stateChanges(n1, instance: "VI_1"), "VI_2's priority changes are live too")
        #expect(VRRPLab.stateChanges(n2) == n2Changes, "n2 must not move: \(n2.log)")

        // A VIP added to VI_1 appears on the master alone, without a transition.
        let reloads = Self.reloadsApplied(n1)
        try Self.configuration(vi2Priority: 247, clientTimeout: 25, extraVIP: Self.addedVIP)
            .write(toFile: path, atomically: true, encoding: .utf8)
        n1.send(SIGHUP)
        #expect(lab.lab.wait(timeout: .seconds(10)) { Self.reloadsApplied(n1) > reloads } != nil, "n1: \(n1.log)")
        #expect(lab.lab.wait(timeout: .seconds(5)) { lab.holdsVIP("n1", Self.addedVIP) } != nil, "n1: \(n1.log)")
        #expect(lab.holdsVIP("n1"))
        #expect(!lab.holdsVIP("n2", Self.addedVIP))
        #expect(Self.stateChanges(n1, instance: "VI_1") == vi1Changes, "n1: \(n1.log)")
    }
}
