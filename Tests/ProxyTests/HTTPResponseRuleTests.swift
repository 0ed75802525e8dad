import Foundation
import Testing
@testable import Proxy

/// HAProxy 2.6 `http-response` and `http-after-response` (issue 13), with `status` / `res.hdr`.
@Suite(.serialized) struct HTTPResponseRuleTests {
    static func facts(status: Int, _ fields: [(String, String)] = []) -> RequestFacts {
        var facts = RequestFacts(head: HTTPRequestHead(method: "GET", target: "/"), source: nil)
        facts.response = HTTPResponseHead(status: status, reason: "OK", fields: HTTPFields(fields.map { HTTPField(name: $0.0, value: $0.1) }))
        return facts
    }

    @Test func test_statusACL_matchesTheResponseStatusOnly() throws {
        let notFound = Condition.test(try ACLTest(criterion: .status, values: ["404"]))
        #expect(notFound.evaluate(Self.facts(status: 404)))
        #expect(!notFound.evaluate(Self.facts(status: 200)))
        #expect(!notFound.evaluate(RequestFacts(head: HTTPRequestHead(method: "GET", target: "/"), source: nil)))
    }

    @Test func test_setStatus_withoutReason_takesTheStandardOne() {
        var facts = Self.facts(status: 404)
        _ = [HTTPResponseRule(action: .setStatus(410, reason: nil))].apply(to: &facts)
        #expect(facts.response?.status == 410)
        #expect(facts.response?.reason == "Gone")
    }

    @Test func test_setHeader_readsResHdrAndStatus() {
        var facts = Self.facts(status: 201, [("Server", "nginx")])
        let value = LogFormatString(parts: [.sample(SampleExpression(fetch: .responseHeader(FieldNameKey("server"), occurrence: -1))), .literal("/"),
                                            .sample(SampleExpression(fetch: .status))])
        _ = [HTTPResponseRule(action: .setHeader(name: "X-Was", value: value)), HTTPResponseRule(action: .deleteHeader(name: "Server"))].apply(to: &facts)
        #expect(facts.response?.fields.first("X-Was") == "nginx/201")
        #expect(facts.response?.fields.contains("Server") == false)
    }

    @Test func test_generatedResponse_isRewrittenByAfterResponseRules() {
        var facts = RequestFacts(head: HTTPRequestHead(method: "GET", target: "/"), source: nil)
        let page = ErrorPages.page(503, overrides: [:])
        let (text, status) = GeneratedResponse.rewrite(page, rules: [
            HTTPResponseRule(action: .setHeader(name: "X-Proxy", value: "hactl")),
            HTTPResponseRule(action: .setStatus(599, reason: "Custom"), condition: .test(try! ACLTest(criterion: .status, values: ["503"]))),
        ], facts: &facts)
        #expect(status == 599)
        #expect(text.hasPrefix("HTTP/1.1 599 Custom\r\n"))
        #expect(text.contains("\r\nX-Proxy: hactl\r\n"))
        #expect(text.hasSuffix(page[page.range(of: "\r\n\r\n")!.upperBound...]))
    }

    // MARK: through sockets

    @Test func test_httpResponse_editsTheServersHeaders() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-response set-header X-Status %[status]
        http-response del-header Content-Type
        http-response add-header X-Added yes if { status 200 }
        """)) { port, _ in
            let response = try ConfiguredProxy.get(port, "/")
            #expect(response.header("x-status") == "200")
            #expect(response.header("content-type") == nil)
            #expect(response.header("x-added") == "yes")
        }
    }

    @Test func test_setStatus_rewritesAServer404() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("http-response set-status 410 reason Removed if { status 404 }")) { port, _ in
            let response = try ConfiguredProxy.get(port, "/status/404")
            #expect(response.status == 410)
            #expect(response.raw.hasPrefix("HTTP/1.1 410 Removed\r\n"))
        }
    }

    @Test func test_httpResponseDeny_answers502AndDropsTheServersBody() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("http-response deny if { res.hdr(content-type) text/plain }")) { port, _ in
            let response = try ConfiguredProxy.get(port, "/")
            #expect(response.status == 502)
            #expect(!response.body.contains("This is HTTP server"))
        }
    }

    @Test func test_backendResponseRules_runBeforeTheFrontends() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("http-response set-header X-Order %[res.hdr(x-order)],frontend",
                                                             backend: "http-response set-header X-Order backend")) { port, _ in
            let response = try ConfiguredProxy.get(port, "/")
            #expect(response.header("x-order") == "backend,frontend")
        }
    }

    @Test func test_afterResponse_appliesToTheProxysOwnDeny() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-request deny if { path /no }
        http-after-response set-header X-Served-By hactl
        http-after-response set-status 451 if { status 403 }
        """)) { port, _ in
            let denied = try ConfiguredProxy.get(port, "/no")
            #expect(denied.status == 451)
            #expect(denied.header("x-served-by") == "hactl")
            let served = try ConfiguredProxy.get(port, "/yes")
            #expect(served.status == 200)
            #expect(served.header("x-served-by") == "hactl")
        }
    }
}
