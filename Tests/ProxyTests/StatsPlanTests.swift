import NIOCore
import Testing
@testable import Proxy

/// `stats auth`, `stats admin` and the page's variants as the session reads them on its loop,
/// before the appliance's hook is asked for anything.
@Suite struct StatsPlanTests {
    static func plan(credentials: [(String, String)] = [("admin", "secret")], admin: [Condition] = []) -> StatsPlan {
        StatsPlan(uri: "/haproxy?stats", realm: "r", credentials: credentials, refreshSeconds: 5, admin: admin, hideVersion: false)
    }

    static func head(_ target: String, method: String = "GET", authorization: String? = nil) -> HTTPRequestHead {
        var fields = HTTPFields()
        if let authorization { fields.add("Authorization", authorization) }
        return HTTPRequestHead(method: method, target: target, fields: fields)
    }

    static func request(_ plan: StatsPlan, _ head: HTTPRequestHead) -> StatsRequest? {
        plan.request(for: head, facts: RequestFacts(head: head, source: nil))
    }

    /// RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func test_base64_matchesRFC4648Vectors(input: String, output: String) {
        #expect(Base64.encode(Array(input.utf8)) == output)
    }

    @Test func test_authorized_onlyWithAConfiguredPair_schemeCaseInsensitive() {
        let plan = Self.plan(credentials: [("admin", "secret"), ("ops", "other")])
        #expect(plan.authorized(Self.head("/haproxy?stats", authorization: "Basic YWRtaW46c2VjcmV0")))
        #expect(plan.authorized(Self.head("/haproxy?stats", authorization: "basic b3BzOm90aGVy")))
        #expect(!plan.authorized(Self.head("/haproxy?stats", authorization: "Basic YWRtaW46d3Jvbmc=")))
        #expect(!plan.authorized(Self.head("/haproxy?stats")))
        #expect(Self.plan(credentials: []).authorized(Self.head("/haproxy?stats")))
    }

    @Test func test_uriIsAPrefix_ofTheWholeTarget() {
        let plan = Self.plan()
        #expect(plan.matches("/haproxy?stats") && plan.matches("/haproxy?stats;csv"))
        #expect(!plan.matches("/haproxy") && !plan.matches("/other"))
    }

    @Test func test_variants_csvJSONAndThePage() {
        let plan = Self.plan()
        #expect(Self.request(plan, Self.head("/haproxy?stats;csv"))?.kind == .csv)
        #expect(Self.request(plan, Self.head("/haproxy?stats;json"))?.kind == .json)
        #expect(Self.request(plan, Self.head("/haproxy?stats"))?.kind == .page(refreshSeconds: 5, admin: false))
    }

    @Test func test_adminPOST_needsTheAdminCondition_andItsParameters() {
        let refused = Self.plan()
        #expect(Self.request(refused, Self.head("/haproxy?stats;action=maint&b=web&s=s1", method: "POST")) == nil)
        let allowed = Self.plan(admin: [.always])
        #expect(Self.request(allowed, Self.head("/haproxy?stats;action=maint&b=web&s=s%201", method: "POST"))?.kind
            == .admin(action: "maint", backend: "web", server: "s 1"))
        #expect(Self.request(allowed, Self.head("/haproxy?stats;action=maint&b=web", method: "POST")) == nil)
        #expect(Self.request(allowed, Self.head("/haproxy?stats"))?.kind == .page(refreshSeconds: 5, admin: true))
    }
}
