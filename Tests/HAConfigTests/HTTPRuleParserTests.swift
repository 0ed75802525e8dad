import HACore
@testable import HAConfig
import Testing

/// `http-request` actions of issue 13 as HAProxy 2.6 spells them, and their refusals with
/// `file:line:column`.
@Suite struct HTTPRuleParserTests {
    static func frontend(_ lines: String) -> String {
        "frontend f\n    mode http\n    bind :80\n" + lines.split(separator: "\n").map { "    \($0)\n" }.joined() + "    default_backend b\nbackend b\n    mode http\n"
    }

    static func actions(_ lines: String) throws -> [HTTPRequestRule.Action] {
        let configuration = try ConfigurationLoader.parse(text: frontend(lines), file: "t.conf")
        return try #require(configuration.frontends.first { $0.name == "f" }).httpRequestRules.map(\.action)
    }

    static func firstError(_ lines: String) -> String? {
        errors(of: frontend(lines)).first?.description
    }

    @Test func test_return_readsStatusTypeBodyAndHeaders() throws {
        let actions = try Self.actions(#"http-request return status 503 content-type "text/plain" string "down" hdr Retry-After 30 if { path /x }"#)
        #expect(actions == [.returnResponse(HTTPReturn(status: 503, contentType: "text/plain", body: .string("down"),
                                                       headers: [HeaderValue(name: "Retry-After", value: LogFormat(literal: "30"))]))])
    }

    @Test func test_return_aloneIs200WithoutBody() throws {
        #expect(try Self.actions("http-request return") == [.returnResponse(HTTPReturn())])
    }

    @Test func test_return_bodyWithoutContentType_isRefusedAtTheBody() {
        #expect(Self.firstError("http-request return status 200 string hi") == "t.conf:4:36: error: 'http-request return': 'return' with a body needs 'content-type TYPE', as in HAProxy")
    }

    @Test func test_return_lfStringIsAFormat_stringIsLiteral() throws {
        let actions = try Self.actions("http-request return content-type text/plain lf-string %[path]\nhttp-request return content-type text/plain string 100%")
        guard case .returnResponse(let first) = actions[0], case .logFormat(let format) = first.body else { Issue.record("\(actions)"); return }
        #expect(!format.isLiteral)
        #expect(actions[1] == .returnResponse(HTTPReturn(contentType: "text/plain", body: .string("100%"))))
    }

    @Test func test_pathQueryAndReplaceActions() throws {
        let actions = try Self.actions("""
        http-request set-path /v2%[path]
        http-request set-query a=1
        http-request replace-path ^/old/(.*) /new/\\1
        http-request replace-header Cookie ^a=(.*) b=\\1
        http-request replace-value X-List ^x$ y
        http-request allow if { src 10.0.0.0/8 }
        http-request tarpit deny_status 429
        http-request tarpit
        """)
        #expect(actions.count == 8)
        #expect(actions[1] == .setQuery(LogFormat(literal: "a=1")))
        #expect(actions[2] == .replacePath(regex: "^/old/(.*)", format: LogFormat(literal: "/new/\\1")))
        #expect(actions[3] == .replaceHeader(name: "Cookie", regex: "^a=(.*)", format: LogFormat(literal: "b=\\1")))
        #expect(actions[4] == .replaceValue(name: "X-List", regex: "^x$", format: LogFormat(literal: "y")))
        #expect(actions[5] == .allow)
        #expect(actions[6] == .tarpit(status: 429))
        #expect(actions[7] == .tarpit(status: 500))
    }

    @Test func test_setVar_readsTheScopeAndTheExpression() throws {
        let actions = try Self.actions("http-request set-var(txn.host) req.hdr(host),lower\nhttp-request set-header X-H %[var(txn.host)]")
        #expect(actions[0] == .setVariable(VariableName(scope: .txn, name: "host"), SampleExpression(fetch: .header(name: "host", occurrence: -1), converters: [.lower])))
    }

    @Test func test_setVar_unknownScope_isRefusedAtTheName() {
        #expect(Self.firstError("http-request set-var(proc.x) src") == "t.conf:4:26: error: 'http-request set-var': expected set-var(SCOPE.NAME) with SCOPE one of sess, txn, req, as in set-var(txn.user)")
    }

    @Test func test_setVar_unknownFetch_pointsAtIt() {
        #expect(Self.firstError("http-request set-var(txn.x) req.hdr(host),nope")?.hasPrefix("t.conf:4:47: error: 'http-request set-var': unknown converter 'nope'") == true)
    }

    @Test func test_replacePath_badRegex_isRefusedAtTheRegex() {
        #expect(Self.firstError("http-request replace-path ^/(a /b")?.hasPrefix("t.conf:4:31: error: 'http-request replace-path': invalid regular expression '^/(a'") == true)
    }

    @Test func test_timeoutTarpit_isAccepted() throws {
        let configuration = try ConfigurationLoader.parse(text: Self.frontend("timeout tarpit 2s"), file: "t.conf")
        #expect(configuration.frontends.first?.timeouts.tarpit == .seconds(2))
    }

    @Test func test_statusFetch_isRefusedOnTheRequestSide() {
        #expect(Self.firstError("http-request set-header X %[status]") == "t.conf:4:33: error: 'http-request set-header': 'status' is known only once the response arrived, not in set-header value")
    }
}

/// `http-response` and `http-after-response` lines.
@Suite struct HTTPResponseRuleParserTests {
    static func rules(_ lines: String) throws -> (response: [HTTPResponseRule.Action], after: [HTTPResponseRule.Action]) {
        let configuration = try ConfigurationLoader.parse(text: HTTPRuleParserTests.frontend(lines), file: "t.conf")
        let frontend = try #require(configuration.frontends.first { $0.name == "f" })
        return (frontend.httpResponseRules.map(\.action), frontend.httpAfterResponseRules.map(\.action))
    }

    @Test func test_responseActions_areRead() throws {
        let rules = try Self.rules("""
        http-response set-header X-S %[status] if { status 404 }
        http-response add-header X-A a
        http-response del-header Server
        http-response replace-value Cache-Control ^private$ public
        http-response set-status 503 reason Busy
        http-response deny deny_status 500 if { res.hdr(x-leak) yes }
        http-after-response set-header X-P hactl
        http-after-response set-status 200
        """)
        #expect(rules.response.count == 6)
        #expect(rules.response[2] == .delHeader(name: "Server"))
        #expect(rules.response[4] == .setStatus(503, reason: "Busy"))
        #expect(rules.response[5] == .deny(status: 500))
        #expect(rules.after == [.setHeader(name: "X-P", value: LogFormat(literal: "hactl")), .setStatus(200, reason: nil)])
    }

    /// HAProxy 2.6 has no `http-after-response deny` either (checked with `haproxy -c`).
    @Test func test_afterResponseDeny_isUnknownAtTheAction() {
        #expect(HTTPRuleParserTests.firstError("http-after-response deny")?.hasPrefix("t.conf:4:25: error: 'http-after-response deny': unknown http-after-response action 'deny'") == true)
    }

    @Test func test_unknownResponseAction_suggests() {
        #expect(HTTPRuleParserTests.firstError("http-response set-hedaer X y") == "t.conf:4:19: error: 'http-response set-hedaer': unknown http-response action 'set-hedaer' (did you mean 'set-header'?)")
    }

    @Test func test_resHdr_isRefusedInARequestRule() {
        #expect(HTTPRuleParserTests.firstError("http-request set-header X %[res.hdr(server)]") == "t.conf:4:33: error: 'http-request set-header': 'res.hdr' is known only once the response arrived, not in set-header value")
    }

    @Test func test_responseRulesInModeTCP_areRefused() {
        let text = "frontend f\n    mode tcp\n    bind :80\n    http-response set-header X y\n    default_backend b\nbackend b\n    mode tcp\n"
        #expect(errors(of: text).first?.description == "t.conf:4:5: error: 'http-response': needs mode http; 'f' is in mode tcp")
    }
}

/// `redirect` options (HAProxy 2.6 takes them in any order around the target).
@Suite struct RedirectOptionParserTests {
    @Test(arguments: ["redirect code 301 location /x", "http-request redirect code 301 location /x", "redirect location /x code 301"])
    func test_codeBeforeOrAfterTheTarget(_ line: String) throws {
        #expect(try HTTPRuleParserTests.actions(line) == [.redirect(kind: .location, value: LogFormat(literal: "/x"), code: 301)])
    }

    @Test func test_options_areRead() throws {
        let actions = try HTTPRuleParserTests.actions("redirect prefix /p drop-query append-slash set-cookie SEEN=1\nhttp-request redirect location /c clear-cookie SEEN=")
        // `http-request` lines run before `redirect` lines, as in HAProxy.
        #expect(actions == [
            .redirect(kind: .location, value: LogFormat(literal: "/c"), code: 302, options: .init(clearCookie: "SEEN=")),
            .redirect(kind: .prefix, value: LogFormat(literal: "/p"), code: 302, options: .init(dropQuery: true, appendSlash: true, setCookie: "SEEN=1")),
        ])
    }

    @Test func test_twoTargets_areRefusedAtTheSecond() {
        #expect(HTTPRuleParserTests.firstError("redirect location /a prefix /b") == "t.conf:4:26: error: 'redirect': a redirect has one target: 'prefix' comes after another")
    }

    @Test func test_optionsWithoutTarget_areRefused() {
        #expect(HTTPRuleParserTests.firstError("redirect code 301")?.hasPrefix("t.conf:4:5: error: 'redirect': expected 'scheme', 'location' or 'prefix' and its value") == true)
    }
}

/// `log-format`, `unique-id-format` and `unique-id-header`.
@Suite struct LogFormatKeywordTests {
    @Test func test_logFormat_isOneArgument_andAllowsLogVariables() throws {
        let configuration = try ConfigurationLoader.parse(text: HTTPRuleParserTests.frontend(#"log-format "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %ID""#), file: "t.conf")
        let format = try #require(configuration.frontends.first?.logFormat)
        #expect(!format.isLiteral)
    }

    @Test func test_logFormat_twoWords_isRefusedAtTheSecond() {
        #expect(HTTPRuleParserTests.firstError("log-format %ci %cp") == "t.conf:4:20: error: 'log-format': log-format takes one argument, as in HAProxy: quote the string or escape its spaces ('\\ ')")
    }

    @Test func test_logFormat_resHdr_isRefused() {
        #expect(HTTPRuleParserTests.firstError("log-format %[res.hdr(server)]") == "t.conf:4:18: error: 'log-format': 'res.hdr' is not kept until the log line: use 'capture response header NAME len N' and %hs")
    }

    @Test func test_logOnlyVariable_inSetHeader_isRefused() {
        #expect(HTTPRuleParserTests.firstError("http-request set-header X %hr") == "t.conf:4:31: error: 'http-request set-header': '%hr' is a log variable: it can be used in log-format, not in set-header value")
    }

    @Test func test_otherFlags_areRefused() {
        #expect(HTTPRuleParserTests.firstError("log-format %{+X}o") == "t.conf:4:16: error: 'log-format': log-format flags other than '%{+Q}' are not supported by hactl in log-format")
    }

    @Test func test_uniqueID_isInheritedFromDefaults_andUsableInSetHeader() throws {
        let text = "defaults\n    mode http\n    unique-id-format %[uuid()]\n    unique-id-header X-Request-ID\n" + HTTPRuleParserTests.frontend("http-request set-header X-ID %ID")
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let frontend = try #require(configuration.frontends.first)
        #expect(frontend.uniqueIDFormat?.text == "%[uuid()]")
        #expect(frontend.uniqueIDHeader == "X-Request-ID")
    }

    @Test func test_logFormat_isNotAllowedInABackend() {
        #expect(errors(of: "backend b\n    log-format %ci").first?.message.contains("not allowed in a 'backend' section") == true)
    }
}
