import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ARCHITECTURE.md "the path of one failure", end to end with the real binary: the master's
/// proxy stops answering → the liveness probe says DOWN → the VRRP instance (track_proxy, the
/// default) leaves MASTER with a priority-0 advert → the backup is MASTER within a second.
@Suite(.serialized) struct ApplianceLivenessTests {
    static let vip = "198.18.2.10"
    static let configuration = """
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        vrrp_instance VI_1
            interface eth0
            virtual_router_id 62
            advert_int 1
            virtual_ipaddress \(vip)/24 dev eth0

        frontend web
            bind \(vip):80
            default_backend app

        backend app
            server app1 198.18.2.21:80

        """

    @Test func test_masterWhoseProxyStopsAnswering_handsTheVIPOverWithinASecond() async throws {
        guard let pair = try HAPairLab.make(subnet: 2, configuration: Self.configuration) else { return }
        let lab = pair.lab
        defer { lab.destroy() }
        let (file, notify1, notify2) = (pair.file, pair.notify1, pair.notify2)
        let lb1 = try RunHactlProcess(in: lab, "lb1", role: "master", file: file, notify: notify1)
        let lb2 = try RunHactlProcess(in: lab, "lb2", role: "backup", file: file, notify: notify2)
        defer {
            lb1.signal(SIGKILL)
            lb2.signal(SIGKILL)
        }
        // Both may pass through MASTER while their Master_Down timers race; wait for the outcome.
        #expect(notify1.waitForStatus(timeout: .seconds(15)) { $0.hasPrefix("MASTER VI_1") }, "lb1: \(lb1.standardError)")
        #expect(notify2.waitForStatus(timeout: .seconds(15)) { $0.hasPrefix("BACKUP VI_1") }, "lb2: \(lb2.standardError)")
        #expect(lab.wait(timeout: .seconds(5)) { lab.holds("lb1", Self.vip) && !lab.holds("lb2", Self.vip) } != nil)

        // Break lb1's proxy as its own node sees it: a policy rule ahead of the local table
        // prohibits TCP to VIP:80, so the probe's connect fails (EACCES) while VRRP's adverts
        // (IP protocol 112) still flow. The local table's rule moves from 0 to 100 to make room.
        try lab.exec("lb1", ["ip", "rule", "add", "pref", "100", "lookup", "local"])
        try lab.exec("lb1", ["ip", "rule", "del", "pref", "0"])
        let wedgedAt = ContinuousClock.now
        try lab.exec("lb1", ["ip", "rule", "add", "pref", "10", "to", Self.vip, "ipproto", "tcp", "dport", "80", "prohibit"])
        let tookOver = notify2.waitForStatus(timeout: .seconds(5)) { $0.hasPrefix("MASTER VI_1") }
        let failover = ContinuousClock.now - wedgedAt
        print("ApplianceLivenessTests: proxy unreachable on the master → backup MASTER in \(failover)")
        #expect(tookOver, "lb2: \(lb2.standardError)")
        #expect(failover < .seconds(1))
        let fault = notify1.waitFor(timeout: .seconds(5)) { $0.hasPrefix("STATUS=FAULT VI_1") && $0.contains("proxy DOWN") }
        #expect(fault, "lb1: \(notify1.received)")
        #expect(lb1.standardError.contains("liveness: proxy down"), "lb1: \(lb1.standardError)")
        #expect(lab.holds("lb2", Self.vip))
        // The old instance drains (bounded) before the supervisor starts the next one.
        #expect(lab.wait(timeout: .seconds(10), interval: .milliseconds(20)) { lb1.standardError.contains("restart requested") } != nil,
                "the supervisor restarts a proxy the probe declared DOWN: \(lb1.standardError)")

        // Heal: the restarted proxy rises again (after the 10 s hold-down: lb1 cannot connect to
        // a VIP it no longer holds, and the proxy's own word is not trusted sooner after failed
        // connects) and lb1 returns from FAULT; with its higher priority it then preempts.
        try lab.exec("lb1", ["ip", "rule", "del", "pref", "10"])
        let recovered = notify1.waitForStatus(timeout: .seconds(25)) { line in
            (line.hasPrefix("BACKUP VI_1") || line.hasPrefix("MASTER VI_1")) && !line.contains("proxy DOWN")
        }
        #expect(recovered, "lb1: \(notify1.received) \(lb1.standardError)")

        lb1.signal(SIGTERM)
        lb2.signal(SIGTERM)
        #expect(await lb1.waitForExit(timeout: .seconds(10)) == 0)
        #expect(await lb2.waitForExit(timeout: .seconds(10)) == 0)
        await lb1.stop()
        await lb2.stop()
    }
}
