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

    /// How often each server is picked in `count` picks drawn from a fixed seed.
    func shares(_ b: Balancer, _ servers: FakeServers, count: Int = 4000) -> [Int] {
        var generator = SplitMix64(seed: 7)
        var shares = Array(repeating: 0, count: servers.serverCount)
        for i in 0..<count {
            if let s = b.pick(servers, position: i, key: .none, random: &generator) { shares[s] += 1 }
        }
        return shares
    }

    @Test func test_random_twoDraws_avoidTheLoadedServerMoreThanOneDraw() {
        var servers = FakeServers(2)
        servers.active = [10, 0]
        // One draw: the loaded server is picked about half the time; two: only when both draws hit it (~1/4).
        let one = shares(balancer(.random(draws: 1), servers), servers)[0]
        let two = shares(balancer(.random(draws: 2), servers), servers)[0]
        #expect(one > 1600 && one < 2400)
        #expect(two > 700 && two < 1300)
    }

    @Test func test_random_manyDraws_convergeOnTheLeastLoaded() {
        var servers = FakeServers(3)
        servers.active = [4, 0, 9]
        #expect(shares(balancer(.random(draws: 20), servers), servers, count: 200)[1] == 200)
    }

    @Test func test_random_respectsWeights() {
        let servers = FakeServers(2, weights: [3, 1])
        let share = shares(balancer(.random(draws: 1), servers), servers)[0]
        // Weight 3 of 4: about 75 % of single draws (the ring's points are not perfectly even).
        #expect(share > 2600 && share < 3400)
    }

    @Test func test_hashBalanceFactor_sendsAHotKeyElsewhereOnceItsServerIsFull() {
        var servers = FakeServers(4)
        let hot = BalanceKey.hash(KeyHasher(consistent: true).hash(Array("/hot".utf8)))
        let unbounded = balancer(.uri(URIHashKey()), servers, consistent: true)
        let owner = unbounded.pick(servers, position: 0, key: hot)!
        // 8 connections on 4 servers, all on the owner: at 150 % a server may hold ⌈1.5 × 9 / 4⌉ = 4.
        servers.active[owner] = 8
        #expect(unbounded.pick(servers, position: 0, key: hot) == owner)
        let bounded = Balancer(algorithm: .uri(URIHashKey()), weights: servers.weights, names: servers.weights.indices.map { "s\($0)" },
                               consistent: true, balanceFactor: 150)
        let moved = bounded.pick(servers, position: 0, key: hot)
        #expect(moved != nil && moved != owner)
        // Evenly loaded (2 each): ⌈1.5 × 9 / 4⌉ = 4 > 2, the owner takes its key again.
        servers.active = [2, 2, 2, 2]
        #expect(bounded.pick(servers, position: 0, key: hot) == owner)
    }

    @Test func test_consistentHash_serverDown_movesOnlyItsKeys() {
        var servers = FakeServers(4)
        let b = balancer(.uri(URIHashKey()), servers, consistent: true)
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
        let b = balancer(.uri(URIHashKey()), servers)
        let keys = (0..<2000).map { BalanceHash.hash(Array("/page/\($0)".utf8)) }
        let before = keys.map { b.pick(servers, position: 0, key: .hash($0)) }
        servers.up[2] = false
        let after = keys.map { b.pick(servers, position: 0, key: .hash($0)) }
        let movedOthers = zip(before, after).filter { $0 != 2 && $0 != $1 }.count
        #expect(movedOthers > 0)
    }
}

/// `balance uri` options: which part of the target is hashed.
@Suite struct URIHashKeyTests {
    @Test(arguments: [
        (URIHashKey(), "/a/b/c?x=1", "/a/b/c"),
        (URIHashKey(whole: true), "/a/b/c?x=1", "/a/b/c?x=1"),
        (URIHashKey(length: 4), "/a/b/c?x=1", "/a/b"),
        (URIHashKey(depth: 1), "/a/b/c?x=1", "/a"),
        (URIHashKey(depth: 2), "/a/b/c?x=1", "/a/b"),
        (URIHashKey(depth: 5), "/a/b/c?x=1", "/a/b/c"),
        (URIHashKey(length: 3, depth: 2), "/ab/c", "/ab"),
        (URIHashKey(), "http://h.example/a?q", "http://h.example/a"),
        (URIHashKey(pathOnly: true), "http://h.example/a?q", "/a"),
        (URIHashKey(whole: true, pathOnly: true), "http://h.example/a?q", "/a?q"),
    ])
    func test_key_takesThePartTheOptionsName(_ key: URIHashKey, _ target: String, _ expected: String) {
        #expect(key.key(of: Substring(target)) == Substring(expected))
    }
}

/// `hash-type ... FUNCTION [avalanche]`: the functions' published values.
@Suite struct KeyHasherTests {
    @Test func test_crc32_matchesTheStandardCheckValue() {
        // The CRC-32 check value of "123456789" is 0xCBF43926.
        #expect(KeyHasher(function: .crc32, avalanche: false).hash(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func test_djb2_isTimes33PlusByteFrom5381() {
        #expect(KeyHasher(function: .djb2, avalanche: false).hash(Array("a".utf8)) == 5381 * 33 + 97)
    }

    @Test func test_sdbm_ofOneByteIsTheByte() {
        #expect(KeyHasher(function: .sdbm, avalanche: false).hash(Array("a".utf8)) == 97)
        #expect(KeyHasher(function: .sdbm, avalanche: false).hash(Array("ab".utf8)) == 98 + (97 << 6) + (97 << 16) - 97)
    }

    @Test func test_avalanche_changesTheRawHash() {
        let raw = KeyHasher(function: .sdbm, avalanche: false).hash(Array("a".utf8))
        let mixed = KeyHasher(function: .sdbm, avalanche: true).hash(Array("a".utf8))
        #expect(mixed != raw && mixed == UInt64(KeyHasher.fullAvalanche(97)))
    }

    @Test func test_defaults_sdbmForMapBased_sdbmAvalancheForConsistent() {
        #expect(KeyHasher(consistent: false) == KeyHasher(function: .sdbm, avalanche: false))
        #expect(KeyHasher(consistent: true) == KeyHasher(function: .sdbm, avalanche: true))
    }
}

/// A small seeded generator (SplitMix64) so that draws are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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
