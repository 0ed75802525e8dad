#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Testing
@testable import Proxy

/// HAProxy `monitor-uri` and `monitor fail`: the proxy answers the monitoring URI itself, before
/// any `http-request` rule, and neither forwards nor logs it.
@Suite(.serialized) struct ProxyMonitorTests {
    @Test func test_monitorURI_isAnsweredByTheProxy_notForwarded_connectionKept() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.monitor = MonitorPlan(uri: "/alive") }) { s1, port in
            let client = try TestConnection(port: port)
            try client.send("GET /alive HTTP/1.1\r\nHost: a\r\n\r\n")
            let answer = try client.readResponse()
            #expect(answer.status == 200 && answer.body.contains("The service is ready."))
            #expect(answer.header("connection") == nil)
            try client.send("GET /page HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(s1.requests.map(\.uri) == ["/page"])
        }
    }

    @Test func test_monitorFail_conditionHolding_answers503() async throws {
        let failing = Condition.test(try ACLTest(criterion: .headerPresent("x-drain"), values: []))
        try await ProxyHarness.withOneServer(frontend: { $0.monitor = MonitorPlan(uri: "/alive", fail: [failing]) }) { s1, port in
            let draining = try TestConnection.get(port: port, path: "/alive", headers: ["X-Drain: 1"])
            let ready = try TestConnection.get(port: port, path: "/alive")
            #expect(draining.status == 503 && ready.status == 200)
            #expect(s1.requests.isEmpty)
        }
    }

    @Test func test_monitorURI_comesBeforeHTTPRequestRules() async throws {
        try await ProxyHarness.withOneServer(frontend: {
            $0.monitor = MonitorPlan(uri: "/alive")
            $0.requestRules = [HTTPRequestRule(action: .deny(status: 403), condition: .always)]
        }) { _, port in
            let monitor = try TestConnection.get(port: port, path: "/alive")
            let other = try TestConnection.get(port: port, path: "/other")
            #expect(monitor.status == 200 && other.status == 403)
        }
    }

    @Test func test_monitorRequest_isNotLogged() async throws {
        let receiver = LogReceiver(path: "/tmp/hp-monitor-log-\(getpid()).sock")
        try await ProxyHarness.withOneServer(frontend: {
            $0.monitor = MonitorPlan(uri: "/alive")
            $0.httplog = true
            $0.logTargets = [.syslogUnixSocket(path: receiver.path, facility: 16)]
        }) { _, port in
            let monitor = try TestConnection.get(port: port, path: "/alive")
            let logged = try TestConnection.get(port: port, path: "/logged")
            #expect(monitor.status == 200 && logged.status == 200)
            let line = try #require(receiver.next())
            #expect(line.hasSuffix("\"GET /logged HTTP/1.1\""), "\(line)")
        }
    }

    @Test func test_headRequest_getsTheHeadWithoutBody() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.monitor = MonitorPlan(uri: "/alive") }) { _, port in
            let client = try TestConnection(port: port)
            try client.send("HEAD /alive HTTP/1.1\r\nHost: a\r\n\r\nGET /alive HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(try client.readResponse(forHead: true).status == 200)
            let second = try client.readResponse()
            #expect(second.status == 200 && second.header("connection") == "close")
        }
    }

    @Test(arguments: [
        ("/alive", "/alive", true),
        ("/alive", "/alive?x=1", false),
        ("/alive", "/alive/", false),
        ("/alive", "http://lb.example/alive", true),
        ("/alive?full", "/alive?full", true),
        ("http://lb.example/alive", "http://lb.example/alive", true),
        ("http://lb.example/alive", "/alive", false),
    ])
    func test_matches_pathFormAgainstThePathAndQuery_otherwiseTheWholeTarget(_ uri: String, _ target: String, _ expected: Bool) {
        #expect(MonitorPlan(uri: uri).matches(target) == expected)
    }
}
