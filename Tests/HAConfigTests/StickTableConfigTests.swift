import HACore
@testable import HAConfig
import Testing

/// HAProxy §4.2 `stick-table` and `stick on|match|store-request`: HAProxy's meaning and defaults,
/// and what hactl does not keep refused at file:line.
@Suite struct StickTableConfigTests {
    private let peers = """
    peers pair
        peer lb1 198.18.0.11:7100
        peer lb2 198.18.0.12:7100
        peer-key /etc/hactl/peer.key

    """

    private func backend(_ lines: String, mode: String = "http") throws -> Backend {
        let text = "backend web\n    mode \(mode)\n" + lines + "\n    server s1 198.18.0.1:80\n    server s2 198.18.0.2:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        return try #require(configuration.backends.first)
    }

    private func messages(_ text: String) -> [String] { errors(of: text).map(\.description) }

    @Test func test_stickTable_keepsTypeSizeExpireAndPeers_namedAfterItsSection() throws {
        let text = peers + "backend web\n    mode http\n    stick-table type ip size 100k expire 30m nopurge peers pair\n    stick on src\n    server s1 198.18.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let table = try #require(configuration.backends.first?.stickTable)
        #expect(table.name == "web")
        #expect(table.type == .ip)
        #expect(table.size == 102_400)
        #expect(table.expire == .seconds(1800))
        #expect(table.nopurge)
        #expect(table.peers == "pair")
        #expect(table.length == nil)
    }

    @Test func test_stringTable_defaultsToLength32_asHAProxy() throws {
        let table = try #require(try backend("    stick-table type string size 10").stickTable)
        #expect(table.length == 32)
        #expect(table.expire == nil)
        #expect(!table.nopurge)
        let long = try #require(try backend("    stick-table type string len 64 size 10").stickTable)
        #expect(long.length == 64)
    }

    @Test func test_stickRules_keepKindPatternTableAndCondition() throws {
        let parsed = try backend("""
            stick-table type string len 40 size 1k
            acl api path_beg /api
            stick match req.cook(SID) if api
            stick store-request url_param(session)
            stick on hdr(x-user) table web
        """)
        #expect(parsed.stickRules.map(\.kind) == [.match, .storeRequest, .on])
        #expect(parsed.stickRules[0].pattern.fetch == .cookie(name: "SID"))
        #expect(parsed.stickRules[0].condition != nil)
        #expect(parsed.stickRules[1].pattern.fetch == .urlParameter(name: "session"))
        #expect(parsed.stickRules[2].pattern.fetch == .header(name: "x-user", occurrence: -1))
        #expect(parsed.stickRules[2].table == "web")
    }

    @Test func test_printedStickLines_parseToTheSameBackend() throws {
        let text = peers + "backend web\n    mode http\n    stick-table type string len 16 size 2k expire 10s peers pair\n    acl api path_beg /api\n    stick on req.cook(SID) if api\n    server s1 198.18.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let printed = ConfigurationPrinter.print(configuration)
        let reparsed = try ConfigurationLoader.parse(text: printed, file: "printed.conf")
        #expect(reparsed.backends.first?.stickTable == configuration.backends.first?.stickTable)
        #expect(reparsed.withoutLocations().backends.first?.stickRules == configuration.withoutLocations().backends.first?.stickRules)
        #expect(printed.contains("    stick on req.cook(SID) if api\n"))
        #expect(ConfigurationPrinter.print(reparsed) == printed)
    }

    @Test(arguments: [
        ("backend web\n    stick-table type ip size 1k store gpc0,conn_rate(10s)",
         "t.conf:2:33: error: 'stick-table': `stick-table ... store` is an HAProxy keyword hactl does not support"),
        ("backend web\n    stick-table type binary size 1k",
         "t.conf:2:22: error: 'stick-table': `stick-table type binary` is an HAProxy keyword hactl does not support (use type string)"),
        ("backend web\n    stick-table type ip",
         "t.conf:2:25: error: 'stick-table': missing 'size N' (the most entries the table holds)"),
        ("backend web\n    stick-table type ip len 4 size 1k",
         "t.conf:2:25: error: 'stick-table': 'len' follows 'type string' (only string keys have a length)"),
        ("backend web\n    stick-table type ip size 1k expire 30d",
         "t.conf:2:40: error: 'stick-table': expire must be at most 24d (2147483647 ms), got '30d'"),
        ("frontend f\n    bind :80\n    stick-table type ip size 1k",
         "t.conf:3:5: error: 'stick-table': `stick-table in a frontend` is an HAProxy keyword hactl does not support"),
        ("backend web\n    mode http\n    stick on src\n    server s1 198.18.0.1:80",
         "t.conf:3:5: error: 'stick on': 'web' has no stick-table: add 'stick-table type ip size 100k' or name one with 'table NAME'"),
        ("backend web\n    mode http\n    stick on src table other\n    server s1 198.18.0.1:80",
         "t.conf:3:5: error: 'stick on': table 'other' names no backend or listen section with a stick-table"),
        ("backend web\n    mode http\n    stick store-response res.hdr(x)",
         "t.conf:3:11: error: 'stick store-response': `stick store-response` is an HAProxy keyword hactl does not support"),
        ("backend web\n    mode http\n    stick on src_prt\n    stick-table type ip size 1k",
         "t.conf:3:14: error: 'stick on': unknown sample fetch 'src_prt' in stick on pattern (did you mean 'src_port'?)"),
        ("backend web\n    mode http\n    stick-table type ip size 1k peers other\n    server s1 198.18.0.1:80",
         "t.conf:3:5: error: 'stick-table': peers 'other' names no peers section (add 'peers other' listing the nodes of the pair)"),
        ("backend web\n    mode tcp\n    stick-table type string size 1k\n    stick on req.cook(SID)\n    server s1 198.18.0.1:80",
         "t.conf:4:14: error: 'stick on': 'web' is in mode tcp: a stick pattern there reads the connection (src, src_port, dst, dst_port), not 'req.cook(SID)'"),
        ("frontend f\n    mode http\n    bind :80\n    http-request track-sc0 src",
         "t.conf:4:18: error: 'http-request track-sc0': `http-request track-sc0` is an HAProxy keyword hactl does not support"),
    ])
    func test_whatHactlDoesNotKeep_isRefusedAtFileAndLine(_ input: (String, String)) {
        let found = messages(input.0)
        #expect(found.contains { $0.hasPrefix(input.1) }, "\(found)")
    }

    @Test func test_aRefusedTable_isReportedOnce_notAgainAtItsRules() {
        let found = messages("backend web\n    mode http\n    stick-table type ip size 1k store gpc0\n    stick on src\n    server s1 198.18.0.1:80\n")
        #expect(found.count == 1, "\(found)")
    }

    @Test func test_peersOnTheTable_mustNameThePeersSection() {
        let text = peers + "backend web\n    mode http\n    stick-table type ip size 1k peers pear\n    server s1 198.18.0.1:80\n"
        #expect(messages(text).contains { $0.contains("peers 'pear' is not the peers section of this file ('pair')") })
    }
}
