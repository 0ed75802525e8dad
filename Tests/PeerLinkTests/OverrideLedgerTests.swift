import PeerLink
import Testing

@Suite struct OverrideLedgerTests {
    @Test func test_remoteChange_isAdoptedOnce_andEchoingItBackChangesNothing() {
        var n1 = OverrideLedger()
        var n2 = OverrideLedger()
        n1.recordLocal(backend: "web", server: "s1", field: .admin, value: "drain", node: "n1", nowMilliseconds: 1_000)
        let adopted = n2.merge(n1.report)
        #expect(adopted.map(\.value) == ["drain"])
        #expect(n2.merge(n1.report).isEmpty)  // the next heartbeat repeats it: nothing to apply
        #expect(n1.merge(n2.report).isEmpty)  // n2 reports the same entry back: no ping-pong
        #expect(n1.report == n2.report)
    }

    @Test func test_laterStampWins_olderRemoteIsIgnored() {
        var n1 = OverrideLedger()
        var n2 = OverrideLedger()
        n1.recordLocal(backend: "web", server: "s1", field: .admin, value: "drain", node: "n1", nowMilliseconds: 1_000)
        n2.recordLocal(backend: "web", server: "s1", field: .admin, value: "maint", node: "n2", nowMilliseconds: 2_000)
        #expect(n2.merge(n1.report).isEmpty)
        #expect(n1.merge(n2.report).map(\.value) == ["maint"])
        #expect(n1.entries.values.map(\.value) == ["maint"])
    }

    @Test func test_changeMadeAfterSeeingThePeers_winsEvenWithALaggingClock() {
        var n1 = OverrideLedger()
        var n2 = OverrideLedger()
        n1.recordLocal(backend: "web", server: "s1", field: .weight, value: "50", node: "n1", nowMilliseconds: 10_000)
        _ = n2.merge(n1.report)
        // n2's clock is 5 s behind: its later change must still win.
        let entry = n2.recordLocal(backend: "web", server: "s1", field: .weight, value: "80", node: "n2", nowMilliseconds: 5_000)
        #expect(entry.stamp > 10_000)
        #expect(n1.merge(n2.report).map(\.value) == ["80"])
    }

    @Test func test_equalStamps_breakTiesByNodeName_onBothNodes() {
        var n1 = OverrideLedger()
        var n2 = OverrideLedger()
        n1.recordLocal(backend: "web", server: "s1", field: .admin, value: "drain", node: "n1", nowMilliseconds: 1_000)
        n2.recordLocal(backend: "web", server: "s1", field: .admin, value: "maint", node: "n2", nowMilliseconds: 1_000)
        _ = n1.merge(n2.report)
        _ = n2.merge(n1.report)
        #expect(n1.report == n2.report)
        #expect(n1.report.map(\.value) == ["maint"])
    }

    @Test func test_adminAndWeight_areSeparateKeys() {
        var n1 = OverrideLedger()
        var n2 = OverrideLedger()
        n1.recordLocal(backend: "web", server: "s1", field: .admin, value: "drain", node: "n1", nowMilliseconds: 1_000)
        n2.recordLocal(backend: "web", server: "s1", field: .weight, value: "10", node: "n2", nowMilliseconds: 2_000)
        #expect(n1.merge(n2.report).map(\.field) == [.weight])
        #expect(n2.merge(n1.report).map(\.field) == [.admin])
    }

    @Test func test_healthReport_carriesOverrides_andOneWithoutThemStillDecodes() {
        var ledger = OverrideLedger()
        ledger.recordLocal(backend: "web", server: "s1", field: .admin, value: "drain", node: "n1", nowMilliseconds: 1_000)
        let health = PeerHealth(node: "n1", proxyUp: true, overrides: ledger.report)
        #expect(PeerHealth.decode(health.encoded())?.overrides == ledger.report)
        let old = Array(#"{"node":"n1","proxyUp":true,"proxyReason":"","instances":[]}"#.utf8)
        #expect(PeerHealth.decode(old)?.overrides == nil)
    }
}
