import Testing
@testable import Control

/// The exposition format of issue 11: HAProxy's exporter names and label shapes where the
/// quantity is the same, hactl's own families for VRRP and the liveness probe.
@Suite struct PrometheusExpositionTests {
    static var report: StatusReport {
        var report = Fixtures.report
        report.frontends[0].traffic = .init(currentSessions: 3, totalSessions: 1042, bytesIn: 5000, bytesOut: 90000, denied: 4,
                                            responses: .init(success: 1000, clientError: 30))
        report.instances[0].transitionsTotal = 17
        return report
    }

    let text = PrometheusExposition.render(PrometheusExpositionTests.report)

    func has(_ line: String) -> Bool { text.split(separator: "\n").contains { $0 == line } }

    @Test func test_frontendFamilies_useHAProxysNamesAndProxyLabel() {
        #expect(has(#"haproxy_frontend_current_sessions{proxy="web"} 3"#))
        #expect(has(#"haproxy_frontend_sessions_total{proxy="web"} 1042"#))
        #expect(has(#"haproxy_frontend_bytes_out_total{proxy="web"} 90000"#))
        #expect(has(#"haproxy_frontend_requests_denied_total{proxy="web"} 4"#))
        #expect(has(#"haproxy_frontend_http_responses_total{proxy="web",code="2xx"} 1000"#))
        #expect(has(#"haproxy_frontend_http_responses_total{proxy="web",code="other"} 0"#))
        #expect(has(#"haproxy_frontend_status{proxy="web",state="UP"} 1"#))
    }

    @Test func test_serverStatus_isOneHotOverHAProxysStates() {
        for (state, value) in [("UP", 1), ("DOWN", 0), ("MAINT", 0), ("DRAIN", 0), ("NOLB", 0)] {
            #expect(has(#"haproxy_server_status{proxy="app",server="s1",state="\#(state)"} \#(value)"#))
        }
        #expect(has(#"haproxy_server_weight{proxy="app",server="s1"} 10"#))
        #expect(has(#"haproxy_server_current_sessions{proxy="app",server="s2"} 2"#))
        #expect(has(#"haproxy_server_http_responses_total{proxy="app",server="s1",code="5xx"} 3"#))
    }

    @Test func test_backendWithoutItsOwnCounters_sumsItsServers() {
        #expect(has(#"haproxy_backend_sessions_total{proxy="app"} 840"#))
        #expect(has(#"haproxy_backend_active_servers{proxy="app"} 2"#))
        #expect(has(#"haproxy_backend_weight{proxy="app"} 20"#))
    }

    @Test func test_vrrpAndProbeFamilies() {
        #expect(has(#"hactl_vrrp_state{instance="VI_1",state="MASTER"} 1"#))
        #expect(has(#"hactl_vrrp_state{instance="VI_1",state="BACKUP"} 0"#))
        #expect(has(#"hactl_vrrp_effective_priority{instance="VI_1"} 110"#))
        #expect(has(#"hactl_vrrp_transitions_total{instance="VI_1"} 17"#))
        #expect(has(#"hactl_vrrp_adverts_sent_total{instance="VI_1"} 1200"#))
        #expect(has(#"hactl_vrrp_adverts_dropped_total{instance="VI_1",reason="ttl"} 2"#))
        #expect(has("hactl_probe_up 1"))
        let latency = text.split(separator: "\n").first { $0.hasPrefix("hactl_probe_latency_seconds ") }
        #expect(latency.flatMap { Double($0.dropFirst("hactl_probe_latency_seconds ".count)) }.map { abs($0 - 0.00042) < 1e-9 } == true)
        #expect(has("hactl_probe_restarts_total 0"))
    }

    @Test func test_everyFamilyHasHelpAndTypeOnce_beforeItsSamples() {
        var declared: [String: Int] = [:]
        var typed = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let name = String(line.split(separator: " ")[2])
                declared[name, default: 0] += 1
                typed.insert(name)
            } else if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                #expect(typed.contains(name), "\(name) sampled before its TYPE")
            }
        }
        #expect(declared.values.allSatisfy { $0 == 1 })
    }

    @Test func test_labelValues_escapeQuoteBackslashAndNewline() {
        #expect(MetricWriter.labelText(["proxy": "a\"b\\c\nd"]) == #"{proxy="a\"b\\c\nd"}"#)
    }
}
