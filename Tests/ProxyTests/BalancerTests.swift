import Testing
@testable import Proxy

struct FakeServers: ServerStates {
    var up: [Bool]
    var backup: [Bool]
    var weights: [Int]
    var active: [Int]
    var maxconn: [Int]

    init(_ count: Int, weights: [Int]? = nil) {
        up = Array(repeating: true, count: count)
        backup = Array(repeating: false, count: count)
        self.weights = weights ?? Array(repeating: 1, count: count)
        active = Array(repeating: 0, count: count)
        maxconn = Array(repeating: 0, count: count)
    }

    var serverCount: Int { up.count }
    func isUp(_ s: Int) -> Bool { up[s] }
    func isBackup(_ s: Int) -> Bool { backup[s] }
    func weight(_ s: Int) -> Int { weights[s] }
    func hasFreeSlot(_ s: Int) -> Bool { maxconn[s] == 0 || active[s] < maxconn[s] }
    func activeConnections(_ s: Int) -> Int { active[s] }
}

/// HAProxy `balance` algorithms over a fake server table.
@Suite struct BalancerTests {
    func balancer(_ algorithm: BalanceAlgorithm, _ servers: FakeServers, consistent: Bool = false) -> Balancer {
        Balancer(algorithm: algorithm, weights: servers.weights, names: servers.weights.indices.map { "s\($0)" }, consistent: consistent)
    }

    @Test func test_roundRobin_alternatesBetweenEqualServers() {
        let servers = FakeServers(2)
        let b = balancer(.roundRobin, servers)
        let picks = (0..<6).map { b.pick(servers, position: $0, key: .none) }
        #expect(picks == [0, 1, 0, 1, 0, 1])
    }

    @Test func test_roundRobin_followsWeightsInterleaved() {
        let servers = FakeServers(2, weights: [3, 1])
        let b = balancer(.roundRobin, servers)
        let picks = (0..<8).compactMap { b.pick(servers, position: $0, key: .none) }
        #expect(picks.filter { $0 == 0 }.count == 6)
        #expect(picks == [0, 0, 1, 0, 0, 0, 1, 0])
    }

    @Test func test_roundRobin_skipsDownServer() {
        var servers = FakeServers(2)
        servers.up[0] = false
        let b = balancer(.roundRobin, servers)
        #expect((0..<4).map { b.pick(servers, position: $0, key: .none) } == [1, 1, 1, 1])
    }

    @Test func test_backupServer_usedOnlyWhenAllActiveAreDown() {
        var servers = FakeServers(3)
        servers.backup[2] = true
        let b = balancer(.roundRobin, servers)
        #expect(!(0..<4).contains { b.pick(servers, position: $0, key: .none) == 2 })
        servers.up[0] = false
        servers.up[1] = false
        #expect(b.pick(servers, position: 0, key: .none) == 2)
    }

    @Test func test_allServersDown_picksNothing() {
        var servers = FakeServers(2)
        servers.up = [false, false]
        #expect(balancer(.roundRobin, servers).pick(servers, position: 0, key: .none) == nil)
    }

    @Test func test_serverAtMaxconn_isSkipped() {
        var servers = FakeServers(2)
        servers.maxconn = [1, 0]
        servers.active = [1, 0]
        let b = balancer(.roundRobin, servers)
        #expect(b.pick(servers, position: 0, key: .none) == 1)
    }

    @Test func test_leastConnections_picksTheLeastLoaded() {
        var servers = FakeServers(3)
        servers.active = [5, 1, 3]
        #expect(balancer(.leastConnections, servers).pick(servers, position: 0, key: .none) == 1)
    }

    @Test func test_first_fillsServersInOrder() {
        var servers = FakeServers(3)
        servers.maxconn = [2, 2, 2]
        servers.active = [2, 1, 0]
        #expect(balancer(.first, servers).pick(servers, position: 7, key: .none) == 1)
    }

    @Test func test_source_sameClientSameServer() {
        let servers = FakeServers(4)
        let b = balancer(.source, servers)
        let key = BalanceKey.hash(BalanceHash.hash([198, 18, 0, 7]))
        let first = b.pick(servers, position: 0, key: key)
        #expect((1..<10).allSatisfy { b.pick(servers, position: $0, key: key) == first })
    }

    @Test func test_random_prefersTheLessLoadedOfTwo() {
        var servers = FakeServers(2)
        servers.active = [10, 0]
        #expect(balancer(.random, servers).pick(servers, position: 0, key: .none, random: (0, 1)) == 1)
    }

    @Test func test_consistentHash_serverDown_movesOnlyItsKeys() {
        var servers = FakeServers(4)
        let b = balancer(.uri, servers, consistent: true)
        let keys = (0..<2000).map { BalanceHash.hash(Array("/page/\($0)".utf8)) }
        let before = keys.map { b.pick(servers, position: 0, key: .hash($0)) }
        servers.up[2] = false
        let after = keys.map { b.pick(servers, position: 0, key: .hash($0)) }
        for (old, new) in zip(before, after) where old != 2 {
            #expect(old == new)
        }
        #expect(before.filter { $0 == 2 }.count > 200)
    }

    @Test func test_mapBasedHash_serverDown_movesMoreThanItsShare() {
        var servers = FakeServers(4)
        let b = balancer(.uri, servers)
        let keys = (0..<2000).map { BalanceHash.hash(Array("/page/\($0)".utf8)) }
        let before = keys.map { b.pick(servers, position: 0, key: .hash($0)) }
        servers.up[2] = false
        let after = keys.map { b.pick(servers, position: 0, key: .hash($0)) }
        let movedOthers = zip(before, after).filter { $0 != 2 && $0 != $1 }.count
        #expect(movedOthers > 0)
    }
}

/// `slowstart`: a returning server's share ramps up.
@Suite struct SlowStartTests {
    struct Ramping: ServerStates {
        var ramp: Int
        var serverCount: Int { 2 }
        func isUp(_ s: Int) -> Bool { true }
        func isBackup(_ s: Int) -> Bool { false }
        func weight(_ s: Int) -> Int { 1 }
        func hasFreeSlot(_ s: Int) -> Bool { true }
        func activeConnections(_ s: Int) -> Int { 0 }
        func rampPercent(_ s: Int) -> Int { s == 0 ? ramp : 100 }
    }

    @Test func test_slowstartPercent_growsLinearly() {
        #expect(SlowStart.percent(elapsed: .seconds(0), slowstart: .seconds(10)) == 1)
        #expect(SlowStart.percent(elapsed: .seconds(5), slowstart: .seconds(10)) == 50)
        #expect(SlowStart.percent(elapsed: .seconds(11), slowstart: .seconds(10)) == 100)
    }

    @Test func test_rampingServer_getsAboutItsShareOfTurns() {
        let balancer = Balancer(algorithm: .roundRobin, weights: [1, 1], names: ["a", "b"], consistent: false)
        let picks = (0..<1000).compactMap { balancer.pick(Ramping(ramp: 20), position: $0, key: .none) }
        let share = picks.filter { $0 == 0 }.count
        // Half the turns are server 0's; it takes about 20 % of them.
        #expect(share > 50 && share < 150)
    }
}
