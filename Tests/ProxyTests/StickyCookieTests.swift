import Testing
@testable import Proxy

/// HAProxy `cookie NAME insert|prefix|rewrite` on header fields.
@Suite struct StickyCookieTests {
    let servers: [String?] = ["1", "2"]

    @Test func test_insert_addsSetCookieWithPathWhenClientHasNone() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "WEBSVR", mode: .insert), serverValues: servers)
        var fields = HTTPFields([HTTPField(name: "Content-Length", value: "3")])
        sticky.adaptResponse(&fields, server: 1, clientHadValidCookie: false)
        #expect(fields.values("set-cookie") == ["WEBSVR=2; path=/"])
    }

    @Test func test_insert_clientCookie_designatesServerAndNoNewCookie() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "WEBSVR", mode: .insert), serverValues: servers)
        var request = HTTPFields([HTTPField(name: "Cookie", value: "WEBSVR=2;")])
        #expect(sticky.inspectRequest(&request) == 1)
        #expect(request.first("cookie") == "WEBSVR=2;")
        var response = HTTPFields()
        sticky.adaptResponse(&response, server: 1, clientHadValidCookie: true)
        #expect(!response.contains("set-cookie"))
    }

    @Test func test_insertIndirect_removesCookieFromRequest() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .insert, indirect: true), serverValues: servers)
        var request = HTTPFields([HTTPField(name: "Cookie", value: "a=b; SRV=1; c=d")])
        #expect(sticky.inspectRequest(&request) == 0)
        #expect(request.first("cookie") == "a=b; c=d")
    }

    /// As HAProxy 2.6 prints it (checked on 127.0.0.1): the `attr` values follow `Secure`, in order.
    @Test func test_insertAttr_appendsTheAttributesAfterSecure() {
        var persistence = CookiePersistence(name: "SRV", mode: .insert, httpOnly: true, secure: true, domains: [".ex.com"])
        persistence.attributes = ["SameSite=Strict", "Partitioned"]
        let sticky = StickyCookie(persistence: persistence, serverValues: ["s1"])
        var response = HTTPFields()
        sticky.adaptResponse(&response, server: 0, clientHadValidCookie: false)
        #expect(response.first("set-cookie") == "SRV=s1; path=/; domain=.ex.com; HttpOnly; Secure; SameSite=Strict; Partitioned")
    }

    @Test func test_insertNocache_marksResponsePrivate() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .insert, nocache: true, domains: ["example.com"]),
                                  serverValues: servers)
        var response = HTTPFields()
        sticky.adaptResponse(&response, server: 0, clientHadValidCookie: false)
        #expect(response.first("set-cookie") == "SRV=1; path=/; domain=example.com")
        #expect(response.first("cache-control") == "private")
    }

    struct CacheCase: CustomTestStringConvertible, Sendable {
        var server: [String: String]
        var cacheControl: [String]
        var testDescription: String { server.isEmpty ? "no cache fields" : server.map { "\($0): \($1)" }.joined(separator: ", ") }
    }

    /// `nocache` keeps the server's Cache-Control and adds `private` only where a shared cache could
    /// store the response with the inserted cookie (HAProxy keeps `no-store` too).
    static let cacheCases: [CacheCase] = [
        CacheCase(server: ["Cache-Control": "no-store"], cacheControl: ["no-store"]),
        CacheCase(server: ["Cache-Control": "no-cache"], cacheControl: ["no-cache"]),
        CacheCase(server: ["Cache-Control": "Private"], cacheControl: ["Private"]),
        CacheCase(server: ["Cache-Control": "no-cache=\"Set-Cookie\""], cacheControl: ["no-cache=\"Set-Cookie\""]),
        CacheCase(server: ["Cache-Control": "max-age=0, no-store"], cacheControl: ["max-age=0, no-store"]),
        CacheCase(server: ["Cache-Control": "max-age=60"], cacheControl: ["max-age=60", "private"]),
        CacheCase(server: ["Cache-Control": "public, s-maxage=5"], cacheControl: ["public, s-maxage=5", "private"]),
        CacheCase(server: ["Pragma": "no-cache"], cacheControl: []),
        CacheCase(server: [:], cacheControl: ["private"]),
    ]

    @Test(arguments: cacheCases)
    func test_insertNocache_keepsServersCacheControlAndAddsPrivateOnlyToShareableResponses(_ c: CacheCase) {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .insert, nocache: true), serverValues: servers)
        var response = HTTPFields(c.server.map { HTTPField(name: $0.key, value: $0.value) })
        sticky.adaptResponse(&response, server: 0, clientHadValidCookie: false)
        #expect(response.values("cache-control") == c.cacheControl)
        #expect(response.first("set-cookie") == "SRV=1; path=/")
    }

    @Test func test_insertPreserve_keepsServersOwnCookie() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .insert, preserve: true), serverValues: servers)
        var response = HTTPFields([HTTPField(name: "Set-Cookie", value: "SRV=custom; path=/app")])
        sticky.adaptResponse(&response, server: 0, clientHadValidCookie: false)
        #expect(response.values("set-cookie") == ["SRV=custom; path=/app"])
    }

    @Test func test_prefix_stripsServerPartBeforeForwarding() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SESSIONID", mode: .prefix), serverValues: servers)
        var request = HTTPFields([HTTPField(name: "Cookie", value: "SESSIONID=1~1234;")])
        #expect(sticky.inspectRequest(&request) == 0)
        #expect(request.first("cookie") == "SESSIONID=1234")
    }

    @Test func test_prefix_prefixesServersSetCookie() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SESSIONID", mode: .prefix), serverValues: servers)
        var response = HTTPFields([HTTPField(name: "Set-Cookie", value: "SESSIONID=abc; Path=/")])
        sticky.adaptResponse(&response, server: 1, clientHadValidCookie: false)
        #expect(response.first("set-cookie") == "SESSIONID=2~abc; Path=/")
    }

    @Test func test_rewrite_replacesServersCookieValue() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .rewrite), serverValues: servers)
        var response = HTTPFields([HTTPField(name: "Set-Cookie", value: "SRV=x")])
        sticky.adaptResponse(&response, server: 0, clientHadValidCookie: false)
        #expect(response.first("set-cookie") == "SRV=1")
    }

    @Test func test_unknownCookieValue_designatesNothing() {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .insert), serverValues: servers)
        var request = HTTPFields([HTTPField(name: "Cookie", value: "SRV=9")])
        #expect(sticky.inspectRequest(&request) == nil)
    }
}

/// `cookie ... maxidle T maxlife T`: dated cookies expire.
@Suite struct DatedCookieTests {
    let sticky = StickyCookie(persistence: CookiePersistence(name: "S", mode: .insert, maxIdleSeconds: 3600, maxLifeSeconds: 7200),
                              serverValues: ["a", "b"])

    func cookie(_ server: String, last: Int, first: Int) -> HTTPFields {
        HTTPFields([HTTPField(name: "Cookie", value: "S=\(server)|\(String(last, radix: 32))|\(String(first, radix: 32))")])
    }

    @Test func test_freshCookie_designatesAndKeepsFirstSeen() {
        var fields = cookie("b", last: 10_000, first: 9_000)
        let match = sticky.inspectRequestDated(&fields, now: 10_100)
        #expect(match?.server == 1)
        #expect(match?.firstSeen == 9_000)
    }

    @Test func test_cookieIdleLongerThanMaxidle_isIgnored() {
        var fields = cookie("b", last: 10_000, first: 10_000)
        #expect(sticky.inspectRequestDated(&fields, now: 10_000 + 3601) == nil)
    }

    @Test func test_cookieOlderThanMaxlife_isIgnored() {
        var fields = cookie("b", last: 17_000, first: 10_000)
        #expect(sticky.inspectRequestDated(&fields, now: 17_300) == nil)
    }

    @Test func test_validCookie_isReissuedWithNewLastSeenAndSameFirstSeen() {
        var response = HTTPFields()
        sticky.adaptResponse(&response, server: 1, clientHadValidCookie: true, firstSeen: 9_000, now: 10_100)
        #expect(response.first("set-cookie") == "S=b|\(String(10_100, radix: 32))|\(String(9_000, radix: 32)); path=/")
    }
}
