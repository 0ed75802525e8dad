import NIOCore
import Testing
@testable import Proxy

/// ACL criteria and condition combinators (HAProxy §7).
@Suite struct ConditionTests {
    func facts(_ target: String, method: String = "GET", host: String = "www.test1.com", source: String = "198.18.0.5") -> RequestFacts {
        RequestFacts(head: HTTPRequestHead(method: method, target: target, fields: HTTPFields([HTTPField(name: "Host", value: host)])),
                     source: try? SocketAddress(ipAddress: source, port: 40000))
    }

    func test(_ criterion: ACLCriterion, _ values: String..., ignoreCase: Bool = false) throws -> Condition {
        .test(try ACLTest(criterion: criterion, values: values, ignoreCase: ignoreCase))
    }

    @Test func test_pathCriteria() throws {
        let request = facts("/test1/page.html?x=1")
        #expect(try test(.pathBeginning, "/test1").evaluate(request))
        #expect(try !test(.pathBeginning, "/test2").evaluate(request))
        #expect(try test(.pathEnd, ".html").evaluate(request))
        #expect(try test(.path, "/test1/page.html").evaluate(request))
        #expect(try test(.pathReg, "^/test[0-9]/").evaluate(request))
        #expect(try test(.pathDirectory, "test1").evaluate(request))
    }

    @Test func test_headerCriteria() throws {
        let request = facts("/", host: "www.test1.com")
        #expect(try test(.headerBeginning("host"), "www.test1.com").evaluate(request))
        #expect(try test(.headerEnd("host"), "test1.com").evaluate(request))
        #expect(try test(.headerDomain("host"), "test1.com").evaluate(request))
        #expect(try !test(.headerDomain("host"), "est1.com").evaluate(request))
        #expect(try test(.header("host"), "WWW.TEST1.COM", ignoreCase: true).evaluate(request))
    }

    @Test func test_methodSourceAndSsl() throws {
        let request = facts("/", method: "POST")
        #expect(try test(.method, "POST").evaluate(request))
        #expect(try test(.src, "198.18.0.0/15").evaluate(request))
        #expect(try !test(.src, "10.0.0.0/8").evaluate(request))
        #expect(try !test(.sslFc).evaluate(request))
    }

    @Test func test_combinators_notAndOr() throws {
        let request = facts("/api/x")
        let api = try test(.pathBeginning, "/api")
        let post = try test(.method, "POST")
        #expect(!Condition.all([api, post]).evaluate(request))
        #expect(Condition.any([.all([api, post]), .all([api])]).evaluate(request))
        #expect(Condition.not(post).evaluate(request))
    }

    @Test func test_requestRules_redirectSchemeUnlessSsl() throws {
        let rules = [HTTPRequestRule(action: .redirectScheme("https", code: 302), condition: .not(try test(.sslFc)))]
        var request = facts("/a?b", host: "example.com")
        guard case .redirect(let location, let code, _) = rules.apply(to: &request) else {
            Issue.record("expected a redirect")
            return
        }
        #expect(location == "https://example.com/a?b")
        #expect(code == 302)
    }

    @Test func test_requestRules_setAddDeleteHeaders() {
        let rules = [
            HTTPRequestRule(action: .setHeader(name: "X-A", value: "1")),
            HTTPRequestRule(action: .addHeader(name: "X-B", value: "2")),
            HTTPRequestRule(action: .deleteHeader(name: "Host")),
        ]
        var request = facts("/")
        guard case .proceed = rules.apply(to: &request) else {
            Issue.record("expected proceed")
            return
        }
        #expect(request.head.fields.first("x-a") == "1")
        #expect(request.head.fields.first("x-b") == "2")
        #expect(!request.head.fields.contains("host"))
    }
}

/// `dst_port` and `ssl_fc_sni` without TLS.
@Suite struct DestinationPortConditionTests {
    @Test func test_dstPort_exactAndRange() throws {
        var facts = RequestFacts(head: HTTPRequestHead(method: "GET", target: "/"), source: nil, destinationPort: 8080)
        #expect(try ACLTest(criterion: .destinationPort, values: ["8080"]).matches(facts))
        #expect(try ACLTest(criterion: .destinationPort, values: ["8000:8100"]).matches(facts))
        facts.destinationPort = 80
        #expect(try !ACLTest(criterion: .destinationPort, values: ["8000:8100"]).matches(facts))
        #expect(try !ACLTest(criterion: .sslSNI, values: ["example.com"]).matches(facts))
    }
}

/// `hdr_cnt(name) [op] N`.
@Suite struct HeaderCountConditionTests {
    @Test func test_hdrCnt_comparesOccurrences() throws {
        let head = HTTPRequestHead(method: "GET", target: "/", fields: HTTPFields([
            HTTPField(name: "Host", value: "a"), HTTPField(name: "Host", value: "b"),
        ]))
        let facts = RequestFacts(head: head, source: nil)
        #expect(try ACLTest(criterion: .headerCount("host"), values: ["gt", "1"]).matches(facts))
        #expect(try ACLTest(criterion: .headerCount("host"), values: ["2"]).matches(facts))
        #expect(try !ACLTest(criterion: .headerCount("host"), values: ["lt", "2"]).matches(facts))
        #expect(try ACLTest(criterion: .headerCount("x-none"), values: ["eq", "0"]).matches(facts))
    }
}

/// Issue 13: `base*` fetches and `-m found` presence tests.
@Suite struct BaseAndFoundConditionTests {
    let conditions = ConditionTests()

    @Test func test_base_isHostThenPathWithoutQuery() throws {
        let request = conditions.facts("/api/v1/items?x=1", host: "www.example.com:8080")
        #expect(try conditions.test(.base, "www.example.com:8080/api/v1/items").evaluate(request))
        #expect(try conditions.test(.baseBeginning, "www.example.com:8080/api").evaluate(request))
        #expect(try !conditions.test(.baseBeginning, "/api").evaluate(request))
        #expect(try conditions.test(.baseEnd, "/items").evaluate(request))
        #expect(try conditions.test(.baseSubstring, "com:8080/api/v1").evaluate(request))
        #expect(try conditions.test(.baseDirectory, "v1").evaluate(request))
        #expect(try conditions.test(.baseReg, "^www\\.[a-z]+\\.com").evaluate(request))
    }

    @Test func test_base_ofAnAbsoluteTarget_usesItsPath() throws {
        let request = conditions.facts("http://other.example/p?q", host: "other.example")
        #expect(try conditions.test(.base, "other.example/p").evaluate(request))
    }

    @Test func test_base_withoutHost_isThePath() throws {
        let request = RequestFacts(head: HTTPRequestHead(method: "GET", target: "/a/b?x=1", minorVersion: 0), source: nil)
        #expect(try conditions.test(.base, "/a/b").evaluate(request))
    }

    @Test func test_base_ignoreCase() throws {
        let request = conditions.facts("/API", host: "WWW.Example.com")
        #expect(try conditions.test(.baseBeginning, "www.example.com/api", ignoreCase: true).evaluate(request))
    }

    @Test func test_urlParamFound_isPresenceWithOrWithoutValue() throws {
        #expect(try conditions.test(.urlParameterPresent("debug")).evaluate(conditions.facts("/p?a=1&debug")))
        #expect(try conditions.test(.urlParameterPresent("debug")).evaluate(conditions.facts("/p?debug=")))
        #expect(try !conditions.test(.urlParameterPresent("debug")).evaluate(conditions.facts("/p?debugger=1")))
        #expect(try !conditions.test(.urlParameterPresent("debug")).evaluate(conditions.facts("/p")))
    }

    @Test func test_headerFound_isPresenceEvenWhenEmpty() throws {
        let head = HTTPRequestHead(method: "GET", target: "/", fields: HTTPFields([HTTPField(name: "X-Empty", value: "")]))
        #expect(try conditions.test(.headerPresent("x-empty")).evaluate(RequestFacts(head: head, source: nil)))
        #expect(try !conditions.test(.headerPresent("x-other")).evaluate(RequestFacts(head: head, source: nil)))
    }
}
