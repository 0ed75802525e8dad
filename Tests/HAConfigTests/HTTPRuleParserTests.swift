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
