import HACore
@testable import HAConfig
import Testing

/// HAProxy's `stats` keywords in proxy sections, `http-request use-service prometheus-exporter`
/// and hactl's `prometheus-uri` shorthand (issue 11).
@Suite struct StatsKeywordTests {
    static func parse(_ text: String) throws -> Configuration {
        try ConfigurationLoader.parse(text: text, file: "t.conf", dialect: .haproxy)
    }

    @Test func test_statsKeywordsInAListen_makeOnePage_withEveryCredentialAndTheAdminCondition() throws {
        let configuration = try Self.parse("""
            listen stats
                mode http
                bind :8404
                stats enable
                stats uri /monitor
                stats realm Load\\ balancer
                stats auth admin:secret
                stats auth ops:pa:ss
                stats refresh 10s
                stats hide-version
                stats admin if LOCALHOST
            """)
        let page = try #require(configuration.frontends.first?.stats)
        #expect(page.uri == "/monitor")
        #expect(page.realm == "Load balancer")
        #expect(page.credentials == [.init(user: "admin", password: "secret"), .init(user: "ops", password: "pa:ss")])
        #expect(page.refresh == .seconds(10))
        #expect(page.hideVersion)
        #expect(page.adminConditions.count == 1)
        // A listen's page is served once, by its frontend half.
        #expect(configuration.backends.first?.stats == nil)
    }

    @Test func test_statsEnableAlone_takesHAProxysDefaults() throws {
        let configuration = try Self.parse("frontend f\n    mode http\n    bind :80\n    stats enable\n    default_backend b\nbackend b\n    mode http\n")
        let page = try #require(configuration.frontends.first?.stats)
        #expect(page.uri == "/haproxy?stats" && page.realm == "HAProxy Statistics" && page.credentials.isEmpty && page.refresh == nil)
    }

    @Test func test_statsInABackend_belongsToTheBackend() throws {
        let configuration = try Self.parse("backend b\n    mode http\n    stats uri /s\n")
        #expect(configuration.backends.first?.stats?.uri == "/s")
    }

    @Test func test_statsAuthWithoutColon_isAnErrorAtItsWord() {
        #expect(errors(of: "listen s\n    bind :80\n    stats auth admin\n", dialect: .haproxy).map(\.description)
            == ["t.conf:3:16: error: 'stats auth': expected USER:PASSWORD, got 'admin'"])
    }

    @Test func test_statsOptionHactlLacks_isRefusedByName() {
        let described = errors(of: "listen s\n    bind :80\n    stats show-legends\n", dialect: .haproxy).map(\.description)
        #expect(described.count == 1 && described[0].contains("`stats show-legends` is an HAProxy keyword hactl does not support"))
    }

    @Test func test_useServicePrometheusExporter_isARequestRule() throws {
        let configuration = try Self.parse("frontend f\n    mode http\n    bind :80\n    http-request use-service prometheus-exporter if { path /metrics }\n    default_backend b\nbackend b\n    mode http\n")
        let rule = try #require(configuration.frontends.first?.httpRequestRules.first)
        #expect(rule.action == .useService("prometheus-exporter"))
        #expect(rule.condition != nil)
    }

    @Test func test_useServiceOtherThanPrometheus_isRefused() {
        let described = errors(of: "frontend f\n    mode http\n    bind :80\n    http-request use-service lua.hello\n", dialect: .haproxy).map(\.description)
        #expect(described.count == 1 && described[0].contains("`http-request use-service lua.hello` is an HAProxy keyword hactl does not support"))
    }

    @Test func test_prometheusURI_isTheShorthand() throws {
        let configuration = try Self.parse("frontend f\n    mode http\n    bind :80\n    prometheus-uri /metrics\n    default_backend b\nbackend b\n    mode http\n")
        #expect(configuration.frontends.first?.prometheusURI == "/metrics")
    }

    @Test func test_statsAndMetrics_printBackAndParseToTheSameModel() throws {
        let text = """
            frontend f
                mode http
                bind :80
                prometheus-uri /metrics
                stats uri /s
                stats auth a:b
                stats refresh 5s
                stats admin if TRUE
                http-request use-service prometheus-exporter if { path /m }
                default_backend b
            backend b
                mode http
            """
        let first = try Self.parse(text)
        let printed = ConfigurationPrinter.print(first)
        let second = try Self.parse(printed)
        #expect(first.withoutLocations() == second.withoutLocations(), "\(printed)")
    }
}
