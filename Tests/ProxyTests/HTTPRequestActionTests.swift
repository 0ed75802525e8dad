import Foundation
import NIOCore
import Testing
@testable import Proxy

/// HAProxy 2.6 `http-request` actions beyond header edits (issue 13): return, allow, set-path,
/// set-query, replace-path, replace-header, replace-value, set-var/var(), tarpit.
@Suite(.serialized) struct HTTPRequestActionTests {
    static func facts(_ target: String, _ fields: [(String, String)] = []) -> RequestFacts {
        RequestFacts(head: HTTPRequestHead(method: "GET", target: target, fields: HTTPFields(fields.map { HTTPField(name: $0.0, value: $0.1) })), source: nil)
    }

    static func regex(_ pattern: String) throws -> RegexBox { try RegexBox(pattern: pattern, ignoreCase: false) }

    @Test func test_setPath_keepsTheQuery() {
        var facts = Self.facts("/old/x?a=1")
        _ = [HTTPRequestRule(action: .setPath("/new"))].apply(to: &facts)
        #expect(facts.head.target == "/new?a=1")
    }

    @Test(arguments: [("/p?a=1", "b=2", "/p?b=2"), ("/p", "b=2", "/p?b=2"), ("/p", "", "/p"), ("/p?a=1", "", "/p?")])
    func test_setQuery_replacesAfterTheMark_addsOneOnlyForAValue(_ target: String, _ query: String, _ expected: String) {
        var facts = Self.facts(target)
        _ = [HTTPRequestRule(action: .setQuery(.literal(query)))].apply(to: &facts)
        #expect(facts.head.target == expected)
    }

    @Test func test_replacePath_rewritesTheWholePathWithBackReferences_keepsTheQuery() throws {
        var facts = Self.facts("/api/v1/users?x=1")
        _ = [HTTPRequestRule(action: .replacePath(try Self.regex("^/api/(.*)"), "/\\1"))].apply(to: &facts)
        #expect(facts.head.target == "/v1/users?x=1")
    }

    @Test func test_replacePath_leavesANonMatchingPath() throws {
        var facts = Self.facts("/other")
        _ = [HTTPRequestRule(action: .replacePath(try Self.regex("^/api/(.*)"), "/\\1"))].apply(to: &facts)
        #expect(facts.head.target == "/other")
    }

    @Test func test_replaceHeader_rewritesEachMatchingLineWhole() throws {
        var facts = Self.facts("/", [("X-A", "foo=1; x"), ("X-A", "bar"), ("X-B", "foo=2")])
        _ = [HTTPRequestRule(action: .replaceHeader(name: "x-a", try Self.regex("foo=([^;]*)"), "id=\\1"))].apply(to: &facts)
        #expect(facts.head.fields.values("X-A") == ["id=1", "bar"])
        #expect(facts.head.fields.values("X-B") == ["foo=2"])
    }

    @Test func test_replaceValue_rewritesEachMatchingElementWithTheBlanksBeforeIt() throws {
        var facts = Self.facts("/", [("X-Forwarded-For", "10.0.0.1, 192.168.1.2, 10.0.0.3")])
        _ = [HTTPRequestRule(action: .replaceValue(name: "X-Forwarded-For", try Self.regex("^10\\.(.*)"), "ten.\\1"))].apply(to: &facts)
        #expect(facts.head.fields.values("X-Forwarded-For") == ["ten.0.0.1, 192.168.1.2,ten.0.0.3"])
    }

    @Test func test_allow_stopsTheRemainingRules() {
        var facts = Self.facts("/")
        let outcome = [HTTPRequestRule(action: .allow), HTTPRequestRule(action: .deny(status: 403))].apply(to: &facts)
        guard case .proceed = outcome else { Issue.record("\(outcome)"); return }
    }

    @Test func test_allow_stillRunsTheRedirectKeywordsRules() {
        var facts = Self.facts("/")
        var redirect = HTTPRequestRule(action: .redirectLocation("/r", code: 302))
        redirect.isRedirectKeyword = true
        let outcome = [HTTPRequestRule(action: .allow), HTTPRequestRule(action: .deny(status: 403)), redirect].apply(to: &facts)
        guard case .redirect(let location, _, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(location == "/r")
    }

    @Test func test_setVar_isReadByVarInALaterRule() {
        var facts = Self.facts("/", [("Host", "Example.COM")])
        let slot = VariableSlot(index: 0, session: false)
        let rules = [
            HTTPRequestRule(action: .setVariable(slot, SampleExpression(fetch: .header(FieldNameKey("host"), occurrence: -1), converters: [.lower]))),
            HTTPRequestRule(action: .deleteHeader(name: "Host")),
            HTTPRequestRule(action: .setHeader(name: "X-Host", value: .parts([.literal("h="), .sample(SampleExpression(fetch: .variable(slot)))]))),
        ]
        _ = rules.apply(to: &facts)
        #expect(facts.head.fields.first("X-Host") == "h=example.com")
    }

    @Test func test_return_rendersStatusTypeHeadersAndBody() {
        var facts = Self.facts("/hello")
        let plan = ReturnPlan(status: 201, contentType: "text/plain", body: .parts([.literal("at "), .variable(.path)]),
                              headers: [HeaderRewrite(name: "X-R", value: "yes")])
        guard case .answer(let text, let status) = [HTTPRequestRule(action: .returnResponse(plan))].apply(to: &facts) else {
            Issue.record("no answer")
            return
        }
        #expect(status == 201)
        #expect(text == "HTTP/1.1 201 Created\r\ncontent-length: 9\r\ncontent-type: text/plain\r\nx-r: yes\r\nconnection: close\r\n\r\nat /hello"
            || text == "HTTP/1.1 201 Created\r\ncontent-length: 9\r\ncontent-type: text/plain\r\nX-R: yes\r\nconnection: close\r\n\r\nat /hello", "\(text)")
    }

    // MARK: through sockets

    @Test func test_return_answersWithoutTheServer() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-request return status 200 content-type text/plain lf-string "pong %[path]" hdr X-Served-By hactl if { path /ping }
        """)) { port, server in
            let response = try ConfiguredProxy.get(port, "/ping")
            #expect(response.status == 200)
            #expect(response.body == "pong /ping")
            #expect(response.header("content-type") == "text/plain")
            #expect(response.header("x-served-by") == "hactl")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func test_setPathAndSetVar_reachTheServer() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-request set-var(txn.host) req.hdr(host),upper
        http-request set-path /rewritten
        http-request set-header X-Host %[var(txn.host)]
        """)) { port, server in
            let response = try ConfiguredProxy.get(port, "/original?q=1")
            #expect(response.status == 200)
            let request = try #require(server.requests.first)
            #expect(request.uri == "/rewritten?q=1")
            #expect(request.header("x-host") == "A")
        }
    }

    @Test func test_sessVariable_survivesToTheNextRequestOfTheConnection() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-request set-var(sess.first) path if { path /one }
        http-request set-header X-First %[var(sess.first)]
        """)) { port, server in
            let connection = try TestConnection(port: port)
            try connection.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n")
            _ = try connection.readResponse()
            try connection.send("GET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            _ = try connection.readResponse()
            #expect(server.requests.map { $0.header("x-first") } == ["/one", "/one"])
        }
    }

    @Test func test_tarpit_holdsForTimeoutTarpit_thenAnswers500() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        timeout tarpit 300ms
        http-request tarpit if { path /trap }
        """)) { port, server in
            let start = ContinuousClock.now
            let response = try ConfiguredProxy.get(port, "/trap")
            let waited = ContinuousClock.now - start
            #expect(response.status == 500)
            #expect(waited >= .milliseconds(280), "\(waited)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func test_tarpit_denyStatus_andTimeoutConnectByDefault() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        timeout connect 200ms
        http-request tarpit deny_status 429
        """)) { port, _ in
            let start = ContinuousClock.now
            let response = try ConfiguredProxy.get(port, "/")
            #expect(response.status == 429)
            #expect(ContinuousClock.now - start >= .milliseconds(180))
        }
    }

    @Test func test_allow_skipsALaterDeny() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-request allow if { path /open }
        http-request deny
        """)) { port, _ in
            let open = try ConfiguredProxy.get(port, "/open")
            let closed = try ConfiguredProxy.get(port, "/closed")
            #expect(open.status == 200)
            #expect(closed.status == 403)
        }
    }

    @Test func test_replaceHeader_reachesTheServer() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("""
        http-request replace-header User-Agent ^curl/(.*) tool_\\1
        http-request replace-path ^/old(/.*)? /new\\1
        """)) { port, server in
            _ = try ConfiguredProxy.get(port, "/old/page", "User-Agent: curl/8.1\r\n")
            let request = try #require(server.requests.first)
            #expect(request.header("user-agent") == "tool_8.1")
            #expect(request.uri == "/new/page")
        }
    }
}

/// `redirect` options applied to the original target.
@Suite struct RedirectOptionTests {
    @Test(arguments: [
        (RedirectOptions(dropQuery: true), "/a/b?x=1", "/a/b"),
        (RedirectOptions(appendSlash: true), "/a/b?x=1", "/a/b/?x=1"),
        (RedirectOptions(dropQuery: true, appendSlash: true), "/a/?x=1", "/a/"),
        (RedirectOptions(), "/a?x", "/a?x"),
    ])
    func test_prefixTarget(_ options: RedirectOptions, _ target: String, _ expected: String) {
        #expect(options.target(of: HTTPRequestHead(method: "GET", target: target)) == expected)
    }

    @Test func test_setCookie_isSentWithTheRedirect() async throws {
        try await ConfiguredProxy.run(ConfiguredProxy.frontend("redirect location /there set-cookie SEEN=1")) { port, _ in
            let response = try ConfiguredProxy.get(port, "/")
            #expect(response.status == 302)
            #expect(response.header("set-cookie") == "SEEN=1; path=/;")
        }
    }
}
