import Testing
@testable import Control

/// `vrrp_witness` in `hactl status`: the text line, the JSON keys and the Prometheus gauges.
@Suite struct WitnessStatusTests {
    static func report(reachable: Bool, peerReachable: Bool, isolated: Bool) -> StatusReport {
        var report = Fixtures.report
        report.instances[0].witness = .init(
            address: "198.18.0.12", reachable: reachable, peerReachable: peerReachable, isolated: isolated)
        return report
    }

    @Test func test_text_showsWitnessAndPeerReachability_andIsolation() {
        let fine = StatusRenderer().render(Self.report(reachable: false, peerReachable: true, isolated: false), nowMs: Fixtures.nowMs)
        #expect(fine.contains("witness 198.18.0.12 unreachable, peer reachable"), "\(fine)")
        #expect(!fine.contains("ISOLATED"))
        let cut = StatusRenderer().render(Self.report(reachable: false, peerReachable: false, isolated: true), nowMs: Fixtures.nowMs)
        #expect(cut.contains("witness 198.18.0.12 unreachable, peer unreachable: ISOLATED"), "\(cut)")
    }

    @Test func test_text_withoutWitness_hasNoWitnessLine() {
        #expect(!StatusRenderer().render(Fixtures.report, nowMs: Fixtures.nowMs).contains("witness"))
    }

    @Test func test_json_roundTrips_withSnakeCaseKeys() throws {
        let report = Self.report(reachable: true, peerReachable: false, isolated: false)
        let json = report.jsonString()
        #expect(json.contains(#""witness":{"#))
        #expect(json.contains(#""peer_reachable":false"#))
        #expect(try StatusReport(jsonString: json) == report)
    }

    @Test func test_prometheus_gaugesOnlyWhenConfigured() {
        let text = PrometheusExposition.render(Self.report(reachable: false, peerReachable: false, isolated: true))
        #expect(text.contains(#"hactl_vrrp_witness_reachable{instance="VI_1",witness="198.18.0.12"} 0"#), "\(text)")
        #expect(text.contains(#"hactl_vrrp_isolated{instance="VI_1"} 1"#))
        #expect(!PrometheusExposition.render(Fixtures.report).contains("witness"))
    }
}
