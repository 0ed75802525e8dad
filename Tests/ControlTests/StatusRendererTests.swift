import Testing
@testable import Control

@Suite struct StatusRendererTests {
    let text = StatusRenderer().render(Fixtures.report, nowMs: Fixtures.nowMs)

    func line(startingWith prefix: String) -> String? {
        text.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
    }

    @Test func test_firstLines_nameTheNodeAndTheVerdict() {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "lb1  primary  hactl 0.9.0  up 1d02h  reload applied 5m00s ago: 2 servers added")
        #expect(lines[1] == "HEALTHY")
    }

    @Test func test_degraded_listsTheReasons() {
        var report = Fixtures.report
        report.proxy = .init(up: false, reason: "stopped")
        let text = StatusRenderer().render(report, nowMs: Fixtures.nowMs)
        #expect(text.contains("DEGRADED: proxy down: stopped\n"))
        #expect(text.contains("PROXY  DOWN  restarts 0  (stopped)"))
    }

    @Test func test_instanceRow_showsStatePriorityVipsAndCounters() throws {
        let row = try #require(line(startingWith: "VI_1"))
        let cells = row.split(separator: " ", omittingEmptySubsequences: true)
        #expect(cells == ["VI_1", "MASTER", "110/100", "192.0.2.1/24", "yes", "-", "-", "1200/3/3", "-"])
        #expect(text.contains("  track  proxy proxy up, eth0 interface up, chk_disk script +10\n"))
        #expect(text.contains("  drops  auth 1, ttl 2\n"))
        #expect(text.contains("  last   BACKUP->MASTER 3m00s ago: higher priority than 10.0.0.3\n"))
    }

    @Test func test_proxyFrontendAndServers_eachHaveTheirLine() throws {
        #expect(text.contains("PROXY  up  probe 0.4 ms  restarts 0  (probe ok)\n"))
        #expect(try #require(line(startingWith: "web")).split(separator: " ") == ["web", "OPEN", "3", "1042"])
        #expect(text.contains("BACKEND app  UP  2/2 servers up\n"))
        let server = try #require(line(startingWith: "  s2"))
        #expect(server.contains("[2001:db8::2]:8080"))
        #expect(server.contains("passed: HTTP 200"))
        #expect(server.hasSuffix("2m05s ago"))
    }

    @Test func test_plainByDefault_colouredWhenAsked() {
        #expect(!text.contains("\u{1B}["))
        let coloured = StatusRenderer(colours: true).render(Fixtures.report, nowMs: Fixtures.nowMs)
        #expect(coloured.contains("\u{1B}[32mMASTER\u{1B}[0m"))
    }

    @Test func test_columnsLineUp() throws {
        let header = try #require(line(startingWith: "INSTANCE"))
        let row = try #require(line(startingWith: "VI_1"))
        let headerState = try #require(header.range(of: "STATE")).lowerBound.utf16Offset(in: header)
        let rowState = try #require(row.range(of: "MASTER")).lowerBound.utf16Offset(in: row)
        #expect(headerState == rowState)
    }

    @Test(arguments: [(0, "0s"), (59, "59s"), (61, "1m01s"), (3661, "1h01m"), (90000, "1d01h")])
    func test_durations(_ seconds: Int, _ expected: String) {
        #expect(StatusRenderer.duration(seconds: seconds) == expected)
    }
}
