import HACore
import HAConfig
import Testing
@testable import Proxy

/// Issue 13: the new HAProxy keywords as the proxy's plan carries them.
@Suite struct MigrationKeywordPlanTests {
    func plan(_ text: String) throws -> ProxyPlan {
        try ProxyPlan(configuration: ConfigurationLoader.parse(text: text, file: "t.conf"))
    }

    @Test func test_hashTypeFunction_reachesTheBalancer() throws {
        let p = try plan("backend b\n    mode http\n    balance uri len 8\n    hash-type consistent crc32\n    server s 127.0.0.1:80")
        let state = BackendControl(plan: p.backends[0])
        #expect(state.balancer.hasher == KeyHasher(function: .crc32, avalanche: false))
        #expect(state.balancer.algorithm == .uri(URIHashKey(length: 8)))
    }

    @Test func test_noHashFunction_usesHAProxysDefaultForTheMethod() throws {
        let consistent = try plan("backend b\n    balance source\n    hash-type consistent\n    server s 127.0.0.1:80")
        #expect(BackendControl(plan: consistent.backends[0]).balancer.hasher == KeyHasher(function: .sdbm, avalanche: true))
        let mapBased = try plan("backend b\n    balance source\n    server s 127.0.0.1:80")
        #expect(BackendControl(plan: mapBased.backends[0]).balancer.hasher == KeyHasher(function: .sdbm, avalanche: false))
    }

    @Test func test_hashBalanceFactor_withMapBasedHashing_isWarnedAbout() throws {
        let p = try plan("backend b\n    balance source\n    hash-balance-factor 150\n    server s 127.0.0.1:80")
        #expect(p.warnings.contains { $0.contains("'hash-balance-factor' has effect only with 'hash-type consistent' or 'balance random'") })
        let q = try plan("backend b\n    balance random(3)\n    hash-balance-factor 150\n    server s 127.0.0.1:80")
        #expect(q.warnings.isEmpty && q.backends[0].hashBalanceFactor == 150 && q.backends[0].balance == .random(draws: 3))
    }
}
