import Testing
@testable import Proxy

/// `FakeServers` with the operator's admin states.
struct AdministeredServers: ServerStates {
    var base: FakeServers
    var admin: [ServerAdminState]

    init(_ count: Int, weights: [Int]? = nil, admin: [ServerAdminState]? = nil) {
        base = FakeServers(count, weights: weights)
        self.admin = admin ?? Array(repeating: .ready, count: count)
    }

    var serverCount: Int { base.serverCount }
    func isUp(_ s: Int) -> Bool { base.isUp(s) }
    func isBackup(_ s: Int) -> Bool { base.isBackup(s) }
    func weight(_ s: Int) -> Int { base.weight(s) }
    func hasFreeSlot(_ s: Int) -> Bool { base.hasFreeSlot(s) }
    func activeConnections(_ s: Int) -> Int { base.activeConnections(s) }
    func adminState(_ s: Int) -> ServerAdminState { admin[s] }
}

/// HAProxy's `set server B/S state ready|drain|maint` and `set weight` as the balancer sees them.
@Suite struct ServerAdminBalancingTests {
    static let algorithms: [BalanceAlgorithm] = [.roundRobin, .staticRoundRobin, .leastConnections, .first, .source, .random(draws: 2)]

    func picks(_ algorithm: BalanceAlgorithm, _ servers: AdministeredServers, consistent: Bool = false, count: Int = 40) -> [Int: Int] {
        let balancer = Balancer(algorithm: algorithm, weights: servers.base.weights,
                                names: servers.base.weights.indices.map { "s\($0)" }, consistent: consistent)
        var tally: [Int: Int] = [:]
        var random = SplitMix64(seed: 7)
        for position in 0..<count {
            let key: BalanceKey = algorithm == .source ? .hash(BalanceHash.hash(Array("client\(position)".utf8))) : .none
            if let pick = balancer.pick(servers, position: position, key: key, random: &random) {
                tally[pick, default: 0] += 1
            }
        }
        return tally
    }

    /// The specification as a table: which admin states the algorithm picks, and which still
    /// take requests that persistence designates to them.
    static let adminTable: [(ServerAdminState, pickedByBalancer: Bool, keepsPersistedClients: Bool)] = [
        (.ready, true, true),
        (.drain, false, true),
        (.maint, false, false),
    ]

    @Test(arguments: adminTable)
    func test_adminState_decidesBalancingAndPersistence(_ row: (ServerAdminState, pickedByBalancer: Bool, keepsPersistedClients: Bool)) {
        let servers = AdministeredServers(2, admin: [.ready, row.0])
        for algorithm in Self.algorithms {
            let tally = picks(algorithm, servers)
            if algorithm != .first {  // `first` only ever picks server 0 while it has room
                #expect((tally[1] ?? 0 > 0) == row.pickedByBalancer, "\(algorithm)")
            }
            #expect(tally.values.reduce(0, +) == 40, "\(algorithm): every request still finds a server")
        }
        #expect(Balancer.honoursPersistence(servers, server: 1) == row.keepsPersistedClients)
    }

    @Test func test_drainWithConsistentHashing_movesNoKeyToTheDrainedServer() {
        let servers = AdministeredServers(3, admin: [.ready, .drain, .ready])
        let tally = picks(.source, servers, consistent: true, count: 200)
        #expect(tally[1] == nil)
        #expect(tally.values.reduce(0, +) == 200)
    }

    @Test func test_everyActiveServerDrainedOrInMaint_backupTakesOver() {
        var servers = AdministeredServers(3, admin: [.drain, .maint, .ready])
        servers.base.backup = [false, false, true]
        #expect(picks(.roundRobin, servers) == [2: 40])
    }

    @Test func test_persistenceToAServerThatIsDownOrFull_isNotHonouredWhateverItsAdminState() {
        var servers = AdministeredServers(2, admin: [.ready, .drain])
        servers.base.up = [true, false]
        #expect(!Balancer.honoursPersistence(servers, server: 1))
        servers.base.up = [true, true]
        servers.base.maxconn = [0, 1]
        servers.base.active = [0, 1]
        #expect(!Balancer.honoursPersistence(servers, server: 1))
    }

    /// `set weight`: the roundrobin schedule is rebuilt from the new weights.
    static let weightTable: [(weights: [Int], expected: [Int: Int])] = [
        ([1, 1], [0: 20, 1: 20]),
        ([1, 0], [0: 40]),
        ([1, 3], [0: 10, 1: 30]),
        ([3, 1], [0: 30, 1: 10]),
        ([0, 256], [1: 40]),
    ]

    @Test(arguments: weightTable)
    func test_setWeight_changesRoundRobinDistribution(_ row: (weights: [Int], expected: [Int: Int])) {
        let plan = BackendPlan(name: "app", servers: [ServerPlan(name: "a", host: "127.0.0.1", port: 1),
                                                      ServerPlan(name: "b", host: "127.0.0.1", port: 2)])
        let control = BackendControl(plan: plan).withWeights(row.weights, plan: plan)
        var servers = AdministeredServers(2, weights: control.weights)
        servers.admin = control.admin
        var tally: [Int: Int] = [:]
        for position in 0..<40 {
            if let pick = control.balancer.pick(servers, position: position, key: .none) { tally[pick, default: 0] += 1 }
        }
        #expect(tally == row.expected)
    }

    @Test func test_setWeight_rebuildsTheConsistentHashRing() {
        var plan = BackendPlan(name: "app", servers: [ServerPlan(name: "a", host: "127.0.0.1", port: 1),
                                                      ServerPlan(name: "b", host: "127.0.0.1", port: 2)])
        plan.balance = .source
        plan.consistentHash = true
        let keys = (0..<2000).map { BalanceHash.hash(Array("client\($0)".utf8)) }
        func share(_ control: BackendControl) -> Double {
            let servers = AdministeredServers(2, weights: control.weights)
            let toB = keys.filter { control.balancer.pick(servers, position: 0, key: .hash($0)) == 1 }.count
            return Double(toB) / Double(keys.count)
        }
        let even = BackendControl(plan: plan)
        let heavy = even.withWeights([1, 3], plan: plan)
        let none = even.withWeights([1, 0], plan: plan)
        #expect(share(even) > 0.35 && share(even) < 0.65)
        #expect(share(heavy) > 0.65)
        #expect(share(none) == 0)
    }

    @Test func test_controlGeneration_growsWithEveryChange() {
        let plan = BackendPlan(name: "app", servers: [ServerPlan(name: "a", host: "127.0.0.1", port: 1)])
        let first = BackendControl(plan: plan)
        let second = first.withAdmin([.drain])
        let third = second.withWeights([5], plan: plan)
        #expect(first.generation < second.generation && second.generation < third.generation)
        #expect(third.admin == [.drain] && third.weights == [5])
    }

    /// HAProxy's status column from health, admin state and weight.
    static let statusTable: [(up: Bool, admin: ServerAdminState, weight: Int, status: ProxyStatistics.ServerStatus)] = [
        (true, .ready, 1, .up),
        (false, .ready, 1, .down),
        (true, .drain, 1, .drain),
        (true, .ready, 0, .drain),
        (false, .drain, 1, .down),
        (true, .maint, 1, .maint),
        (false, .maint, 1, .maint),
    ]

    @Test(arguments: statusTable)
    func test_serverStatus_combinesHealthAdminAndWeight(_ row: (up: Bool, admin: ServerAdminState, weight: Int, status: ProxyStatistics.ServerStatus)) {
        #expect(ProxyStatistics.ServerStatus(up: row.up, admin: row.admin, weight: row.weight) == row.status)
    }

    @Test func test_overridesForNamesAReloadRemoved_areDropped() {
        let plan = ProxyHarnessPlans.twoServers(["web1", "web2"])
        let overrides = ProxyOverrides(
            serverAdmin: [.init(backend: "app", server: "web2"): .drain, .init(backend: "app", server: "gone"): .maint],
            serverWeights: [.init(backend: "old", server: "web1"): 3, .init(backend: "app", server: "web1"): 7],
            disabledFrontends: ["http-incoming", "removed"]
        )
        let kept = ProxyService.keepingKnownNames(overrides, of: plan)
        #expect(kept == ProxyOverrides(serverAdmin: [.init(backend: "app", server: "web2"): .drain],
                                       serverWeights: [.init(backend: "app", server: "web1"): 7],
                                       disabledFrontends: ["http-incoming"]))
        let controls = ProxyService.initialControls(plan: plan, overrides: kept)
        #expect(controls[0].admin == [.ready, .drain])
        #expect(controls[0].weights == [7, 1])
    }
}

enum ProxyHarnessPlans {
    static func twoServers(_ names: [String]) -> ProxyPlan {
        let backend = BackendPlan(name: "app", servers: names.enumerated().map { ServerPlan(name: $1, host: "127.0.0.1", port: 1000 + $0) })
        let frontend = FrontendPlan(name: "http-incoming", binds: [BindPlan(host: "127.0.0.1", port: 0)], defaultBackend: 0)
        return ProxyPlan(threads: 1, frontends: [frontend], backends: [backend])
    }
}
