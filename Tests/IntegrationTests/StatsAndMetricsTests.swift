import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue 11 on the real binary over loopback: the Prometheus exposition scraped with curl
/// (counters against the traffic sent, `promtool check metrics` when installed), the statistics
/// page with basic auth, its numbers against `hactl status --json`, a stopped server turning
/// DOWN, and the admin buttons going through the control socket's code.
@Suite(.serialized) struct StatsAndMetricsTests {
    static let timeout: Duration = .seconds(20)

    /// One hactl with a python origin server behind backend `web`, a frontend `www`, and a
    /// frontend `stats` serving the page and the metrics; stopped (with the origin) after `body`.
    struct Node {
        var www: Int
        var stats: Int
        var socket: String
        var origin: ChildProcess
        var hactl: RunHactlProcess

        func url(_ port: Int, _ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
    }

    static func withNode(_ body: (Node) async throws -> Void) async throws {
        let www = runFreeLoopbackPort(), stats = runFreeLoopbackPort(), origin = runFreeLoopbackPort()
        let server = try ChildProcess("/usr/bin/python3", ["-c", """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    # Head and body in one write: two small writes meet delayed ACK (40 ms a request).
                    self.wfile.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\norigin")
                def log_message(self, *a): pass
            class S(http.server.ThreadingHTTPServer):
                request_queue_size = 128
            S(("127.0.0.1", \(origin)), H).serve_forever()
            """], standardError: .null)
        defer {
            server.kill(SIGKILL)
            server.waitUntilExit()
        }
        let configuration = """
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s

            frontend www
                bind 127.0.0.1:\(www)
                http-request use-service prometheus-exporter if { path /metrics }
                default_backend web

            frontend stats
                bind 127.0.0.1:\(stats)
                prometheus-uri /metrics
                stats enable
                stats uri /stats
                stats realm hactl\\ statistics
                stats auth admin:secret
                stats auth ops:other
                stats refresh 1s
                stats admin if TRUE
                default_backend web

            backend web
                # fall 5: a check the busy CI machine answers late now and then must not take the
                # server DOWN during the 1,000 requests (4 of them once got no server that way).
                server s1 127.0.0.1:\(origin) check inter 200ms fall 5 rise 2

            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ha-stats-\(UUID().uuidString.prefix(8)).conf").path
        try configuration.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let socket = file + ".sock"
        let notify = try RunNotifySocket()
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", file],
                                        environment: ["NOTIFY_SOCKET": notify.path, "HACTL_SOCKET": socket])
        let node = Node(www: www, stats: stats, socket: socket, origin: server, hactl: hactl)
        do {
            guard notify.waitFor("READY=1", timeout: timeout) else { throw RunTestError("no READY=1: \(hactl.standardError)") }
            // The server starts UP; its first check passing says the origin really answers.
            guard try await waitFor({ try status(node).contains(#""result":"passed""#) }) else {
                throw RunTestError("s1 never UP: \(try status(node))")
            }
            try await body(node)
        } catch {
            await hactl.stop()
            throw error
        }
        await hactl.stop()
    }

    // MARK: tools

    /// Runs `executable` with `arguments`; its standard output and exit status.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        let run = try ChildProcess.run(executable, arguments, standardError: .null)
        return (run.standardOutput, run.termination.status)
    }

    /// `curl -s -i` of `url` with `extra` options: the whole response, head included.
    static func curl(_ url: String, _ extra: [String] = []) throws -> String {
        try run("/usr/bin/curl", ["-s", "-i", "-m", "5"] + extra + [url]).output
    }

    static func statusLine(_ response: String) -> String {
        String(response.prefix { $0 != "\r" && $0 != "\n" })
    }

    static func body(_ response: String) -> String {
        guard let range = response.range(of: "\r\n\r\n") else { return "" }
        return String(response[range.upperBound...])
    }

    /// `hactl status --json`, its blanks and line breaks removed (it is pretty-printed).
    static func status(_ node: Node) throws -> String {
        String(try run(RunHactlProcess.binary, ["status", "--json", "--socket", node.socket]).output.filter { $0 != " " && $0 != "\n" })
    }

    /// The value of the sample `name{labels}` in an exposition.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    static func waitFor(seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    // MARK: Prometheus

    @Test func test_metrics_after1000Requests_serverAndBackendCountersMovedByExactly1000() async throws {
        try await Self.withNode { node in
            let before = Self.body(try Self.curl(node.url(node.stats, "/metrics")))
            let urls = Array(repeating: "url = \"\(node.url(node.www, "/page"))\"\noutput = \"/dev/null\"\n", count: 1000).joined()
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("ha-curl-\(UUID().uuidString.prefix(8))").path
            try urls.write(toFile: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let codes = try Self.run("/usr/bin/curl", ["-s", "-K", config, "-w", "%{http_code}\n"]).output.split(separator: "\n")
            #expect(codes.count == 1000 && codes.allSatisfy { $0 == "200" })
            let response = try Self.curl(node.url(node.stats, "/metrics"))
            #expect(response.lowercased().contains("content-type: text/plain; version=0.0.4"))
            let after = Self.body(response)
            for series in [#"haproxy_server_sessions_total{proxy="web",server="s1"}"#,
                           #"haproxy_server_http_responses_total{proxy="web",server="s1",code="2xx"}"#,
                           #"haproxy_backend_sessions_total{proxy="web"}"#,
                           #"haproxy_backend_http_responses_total{proxy="web",code="2xx"}"#,
                           #"haproxy_frontend_http_responses_total{proxy="www",code="2xx"}"#] {
                let moved = (Self.sample(after, series) ?? -1) - (Self.sample(before, series) ?? -1)
                #expect(moved == 1000, "\(series) moved by \(moved)")
            }
            #expect(Self.sample(after, #"haproxy_server_status{proxy="web",server="s1",state="UP"}"#) == 1)
            #expect(Self.sample(after, #"haproxy_server_weight{proxy="web",server="s1"}"#) == 1)
            #expect(Self.sample(after, #"haproxy_frontend_current_sessions{proxy="www"}"#) == 0)
            #expect(Self.sample(after, "hactl_probe_up") == 1)
            #expect(after.contains("# TYPE haproxy_frontend_sessions_total counter"))

            // Debian's promtool (package prometheus, scripts/bootstrap) lints names, types and help.
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "promtool missing: run scripts/bootstrap")
            let file = config + ".prom"
            try after.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let check = try Self.run("/bin/sh", ["-c", "/usr/bin/promtool check metrics < \(file) 2>&1"])
            #expect(check.status == 0, "promtool: \(check.output)")
        }
    }

    @Test func test_useServicePrometheusExporter_answersTheExposition_beforeTheBackend() async throws {
        try await Self.withNode { node in
            let response = try Self.curl(node.url(node.www, "/metrics"))
            #expect(Self.statusLine(response).hasPrefix("HTTP/1.1 200"))
            #expect(Self.body(response).contains("# TYPE haproxy_server_status gauge"))
            #expect(Self.body(response).contains(#"hactl_server_info{proxy="web",server="s1",address="127.0.0.1:"#))
        }
    }

    // MARK: stats page

    @Test func test_statsPage_basicAuthEnforced_401WithRealm_eachConfiguredUserAccepted() async throws {
        try await Self.withNode { node in
            let anonymous = try Self.curl(node.url(node.stats, "/stats"))
            #expect(Self.statusLine(anonymous).hasPrefix("HTTP/1.1 401"))
            #expect(anonymous.lowercased().contains(#"www-authenticate: basic realm="hactl statistics""#))
            #expect(Self.statusLine(try Self.curl(node.url(node.stats, "/stats"), ["-u", "admin:wrong"])).hasPrefix("HTTP/1.1 401"))
            for user in ["admin:secret", "ops:other"] {
                let page = try Self.curl(node.url(node.stats, "/stats"), ["-u", user])
                #expect(Self.statusLine(page).hasPrefix("HTTP/1.1 200"), "\(user)")
                #expect(page.contains("<meta http-equiv=\"refresh\" content=\"1\">"))
            }
        }
    }

    @Test func test_statsPage_numbersMatchStatusJSON_csvAndJSONVariants() async throws {
        try await Self.withNode { node in
            for _ in 0..<7 { _ = try Self.curl(node.url(node.www, "/x")) }
            let page = try Self.curl(node.url(node.stats, "/stats"), ["-u", "admin:secret"])
            let json = try Self.status(node)
            // The server's total sessions as both show them.
            let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            let backends = decoded?["backends"] as? [[String: Any]]
            let server = (backends?.first?["servers"] as? [[String: Any]])?.first
            let total = server?["total_sessions"] as? Int
            #expect(total == 7)
            #expect(page.contains(#"<tr id="srv-web-s1" data-state="UP">"#))
            #expect(page.contains(#"<td class="stot" data-value="7">7</td>"#))
            let csv = Self.body(try Self.curl(node.url(node.stats, "/stats;csv"), ["-u", "admin:secret"]))
            #expect(csv.hasPrefix("# pxname,svname,qcur,qmax,scur,smax,slim,stot,"))
            #expect(csv.contains("\nweb,s1,0,,0,,,7,"))
            let variant = Self.body(try Self.curl(node.url(node.stats, "/stats;json"), ["-u", "admin:secret"]))
            #expect(variant.contains(#""total_sessions":7"#))
        }
    }

    /// The DOM a real browser builds from the page (Debian's chromium, headless, credentials in
    /// the URL as an operator's bookmark would hold them).
    static func browserDOM(_ url: String) throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium missing: run scripts/bootstrap")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("ha-chromium-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return try run("/usr/bin/timeout", ["60", "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                            "--user-data-dir=\(profile)", "--dump-dom", url]).output
    }

    @Test func test_browser_rendersThePage_itsNumbersMatchStatusJSON_andAStoppedServerTurnsDOWN() async throws {
        try await Self.withNode { node in
            for _ in 0..<5 { _ = try Self.curl(node.url(node.www, "/x")) }
            let url = "http://admin:secret@127.0.0.1:\(node.stats)/stats"
            let dom = try Self.browserDOM(url)
            let status = try Self.status(node)
            #expect(dom.contains("<h1>hactl statistics</h1>"))
            #expect(dom.contains(#"<tr id="srv-web-s1" data-state="UP">"#))
            #expect(status.contains(#""total_sessions":5"#) && dom.contains(#"<td class="stot" data-value="5">5</td>"#))
            #expect(dom.contains(#"<td class="hrsp_2xx" data-value="5">5</td>"#))
            // Without credentials the browser gets the 401, not the page.
            #expect(!(try Self.browserDOM("http://127.0.0.1:\(node.stats)/stats")).contains("srv-web-s1"))
            node.origin.kill(SIGKILL)
            let down = try await Self.waitFor { try Self.status(node).contains(#""state":"DOWN""#) }
            #expect(down)
            #expect(try Self.browserDOM(url).contains(#"<tr id="srv-web-s1" data-state="DOWN">"#))
        }
    }

    @Test func test_stoppedServer_turnsDOWN_onTheNextRefresh() async throws {
        try await Self.withNode { node in
            node.origin.kill(SIGKILL)
            let down = try await Self.waitFor {
                try Self.curl(node.url(node.stats, "/stats"), ["-u", "admin:secret"]).contains(#"<tr id="srv-web-s1" data-state="DOWN">"#)
            }
            #expect(down)
        }
    }

    @Test func test_adminButtons_drainMaintReady_goThroughTheControlCode() async throws {
        try await Self.withNode { node in
            let page = try Self.curl(node.url(node.stats, "/stats"), ["-u", "admin:secret"])
            #expect(page.contains(#"action="/stats?action=drain&amp;b=web&amp;s=s1""#))
            for (action, admin) in [("drain", "drain"), ("maint", "maint"), ("ready", "ready")] {
                let answer = try Self.curl(node.url(node.stats, "/stats?action=\(action)&b=web&s=s1"), ["-u", "admin:secret", "-X", "POST", "-d", ""])
                #expect(Self.statusLine(answer).hasPrefix("HTTP/1.1 303"), "\(answer)")
                #expect(try Self.status(node).contains(#""admin":"\#(admin)""#))
            }
            let anonymous = try Self.curl(node.url(node.stats, "/stats?action=maint&b=web&s=s1"), ["-X", "POST", "-d", ""])
            #expect(Self.statusLine(anonymous).hasPrefix("HTTP/1.1 401"))
            #expect(try Self.status(node).contains(#""admin":"ready""#))
        }
    }
}
