import Testing
@testable import Control

/// The statistics page's HTML: self-contained, one row per server with its state for the
/// colour, the numbers of the report, admin buttons only with `stats admin`.
@Suite struct StatsPageRendererTests {
    func page(admin: Bool = false, hideVersion: Bool = false, refresh: Int? = nil) -> String {
        StatsPageRenderer.render(Fixtures.report, options: .init(uri: "/haproxy?stats", refreshSeconds: refresh, admin: admin, hideVersion: hideVersion))
    }

    @Test func test_page_loadsNothingFromElsewhere() {
        let html = page()
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src="))
    }

    @Test func test_vrrpInstances_comeBeforeTheProxyTables() throws {
        let html = page()
        let vrrp = try #require(html.range(of: "id=\"vrrp-VI_1\" data-state=\"MASTER\""))
        let server = try #require(html.range(of: "id=\"srv-app-s1\" data-state=\"UP\""))
        #expect(vrrp.lowerBound < server.lowerBound)
        #expect(html.contains("higher priority than 10.0.0.3"))
    }

    @Test func test_serverRow_carriesTheReportsNumbers() {
        let html = page()
        #expect(html.contains(#"<td class="stot" data-value="420">420</td>"#))
        #expect(html.contains(#"<td class="hrsp_4xx" data-value="10">10</td>"#))
        #expect(html.contains(#"<td class="check"><b>passed</b> HTTP 200</td>"#))
    }

    @Test func test_refreshAndVersion_followTheOptions() {
        #expect(page(refresh: 5).contains(#"<meta http-equiv="refresh" content="5">"#))
        #expect(!page().contains("http-equiv=\"refresh\""))
        #expect(page().contains("0.9.0"))
        #expect(!page(hideVersion: true).contains("0.9.0"))
    }

    @Test func test_adminButtons_onlyWithStatsAdmin_postingToThePageURI() {
        #expect(!page().contains("<form"))
        let html = page(admin: true)
        #expect(html.contains(#"<form method="post" action="/haproxy?stats;action=drain&amp;b=app&amp;s=s1">"#))
        // The current admin state's button is disabled.
        #expect(html.contains(#"value="ready" disabled"#))
    }

    @Test func test_names_areEscaped() {
        var report = Fixtures.report
        report.backends[0].name = "<b>"
        let html = StatsPageRenderer.render(report, options: .init(uri: "/s"))
        #expect(!html.contains("backend <b><b></b>") && html.contains("&lt;b&gt;"))
    }
}
