import Testing
@testable import Control

@Suite struct StatusReportTests {
    @Test func test_json_roundTripsTheWholeReport() throws {
        let report = Fixtures.report
        #expect(try StatusReport(jsonString: report.jsonString()) == report)
    }

    @Test func test_json_roundTripsOptionalsWhenPresent() throws {
        var report = Fixtures.report
        report.instances[0].state = .backup
        report.instances[0].masterSeen = .init(address: "10.0.0.3", priority: 120)
        report.instances[0].lastAdvertMsAgo = 850
        report.backends[0].servers[0].check = nil
        report.node.lastReload = nil
        #expect(try StatusReport(jsonString: report.jsonString(pretty: true)) == report)
    }

    @Test func test_json_usesSnakeCaseKeysAndSpecValues() {
        var report = Fixtures.report
        report.instances[0].masterSeen = .init(address: "10.0.0.3", priority: 120)
        report.instances[0].lastAdvertMsAgo = 850
        report.instances[0].terms.append(.init(name: "g1", kind: .syncGroup, value: "ok"))
        let json = report.jsonString()
        for key in [
            "\"uptime_seconds\":", "\"last_reload\":", "\"base_priority\":", "\"effective_priority\":", "\"vips_held\":",
            "\"master_seen\":", "\"last_advert_ms_ago\":", "\"failover_hold\":", "\"probe_latency_ms\":",
            "\"current_sessions\":", "\"total_sessions\":", "\"last_change_s_ago\":", "\"1xx\":", "\"5xx\":", "\"other\":",
            "\"kind\":\"sync_group\"", "\"state\":\"MASTER\"", "\"state\":\"OPEN\"", "\"admin\":\"ready\"",
            "\"result\":\"applied\"", "\"dropped\":{\"auth\":1,\"ttl\":2}",
        ] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(!json.contains("uptimeSeconds"))
    }

    @Test func test_json_leavesAbsentOptionalsOut() {
        let json = Fixtures.report.jsonString()
        #expect(!json.contains("master_seen"))
        #expect(!json.contains("last_advert_ms_ago"))
    }
}

@Suite struct HealthVerdictTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var change: @Sendable (inout StatusReport) -> Void
        var exitCode: Int32
        var reasons: [String]
    }

    static let cases: [Case] = [
        Case(description: "healthy master", change: { _ in }, exitCode: 0, reasons: []),
        Case(description: "healthy backup", change: { $0.instances[0].state = .backup }, exitCode: 0, reasons: []),
        Case(description: "no instances, proxy up", change: { $0.instances = [] }, exitCode: 0, reasons: []),
        Case(
            description: "fault names the faulty terms",
            change: {
                $0.instances[0].state = .fault
                $0.instances[0].terms[1].fault = true
            },
            exitCode: 1, reasons: ["instance VI_1 is FAULT (eth0)"]
        ),
        Case(description: "init", change: { $0.instances[0].state = .initialize }, exitCode: 1, reasons: ["instance VI_1 is INIT"]),
        Case(
            description: "proxy down",
            change: { $0.proxy = .init(up: false, reason: "probe failed 3 times") },
            exitCode: 1, reasons: ["proxy down: probe failed 3 times"]
        ),
        Case(
            description: "backend with no server up",
            change: {
                $0.backends[0].servers[0].state = .down
                $0.backends[0].servers[1].state = .maint
            },
            exitCode: 1, reasons: ["backend app has no server UP"]
        ),
        Case(
            description: "one server down is not degraded",
            change: { $0.backends[0].servers[0].state = .down }, exitCode: 0, reasons: []
        ),
        Case(
            description: "backend without servers",
            change: { $0.backends[0].servers = [] }, exitCode: 1, reasons: ["backend app has no server UP"]
        ),
        Case(
            description: "several problems, in report order",
            change: {
                $0.proxy.up = false
                $0.proxy.reason = "stopped"
                $0.instances[0].state = .fault
                $0.backends[0].servers = []
            },
            exitCode: 1, reasons: ["proxy down: stopped", "instance VI_1 is FAULT", "backend app has no server UP"]
        ),
    ]

    @Test(arguments: cases) func test_verdict(_ testCase: Case) {
        var report = Fixtures.report
        testCase.change(&report)
        #expect(report.verdict == HealthVerdict(exitCode: testCase.exitCode, reasons: testCase.reasons))
    }
}
