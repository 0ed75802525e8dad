import HAConfig
import HACore
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// `stick on` through the running proxy, two event loops, real sockets: the request designated
/// by an entry goes to its server while usable, else is balanced and the entry updated; tables
/// survive a reload when their definition is unchanged.
@Suite(.serialized) struct ProxyStickTableTests {
    static func stickPlan(_ servers: [TestHTTPServer], expire: Int64? = 60_000, pattern: Proxy.SampleExpression = .init(fetch: .header(FieldNameKey("X-Client"), occurrence: -1))) -> ProxyPlan {
        var plan = ProxyHarness.plan(servers: servers) { backend in
            backend.stickRules = [StickRulePlan(matches: true, stores: true, pattern: pattern, table: 0)]
        }
        plan.stickTables = [StickTablePlan(name: "app", type: .string, length: 32, size: 100, expireMilliseconds: expire)]
        return plan
    }

    static func server(of response: TestConnection.Response) -> String {
        response.body.contains("websvr1") ? "websvr1" : response.body.contains("websvr2") ? "websvr2" : "none: \(response.status)"
    }

    static func reached(_ port: Int, client: String) throws -> String {
        server(of: try TestConnection.get(port: port, headers: ["X-Client: \(client)"]))
    }

    @Test func test_stickOn_keepsEachClientOnOneServer_whileRoundRobinAlternates() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(Self.stickPlan([s1, s2])) { service, port in
            var seen: [String: Set<String>] = [:]
            // New connections each time: the kernel spreads them over both loops.
            for round in 0..<8 {
                for client in ["alice", "bob", "carol"] {
                    seen[client, default: []].insert(try Self.reached(port, client: client))
                }
                _ = round
            }
            #expect(seen.values.allSatisfy { $0.count == 1 }, "\(seen)")
            #expect(Set(seen.values.flatMap { $0 }) == ["websvr1", "websvr2"], "round robin placed the first requests on both")
            let tables = await service.stickTables()
            #expect(tables.first?.entries.count == 3)
            #expect(tables.first?.entries.first { $0.key == "alice" }?.server == seen["alice"]?.first)
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    /// A node starting: its peer link can be up, and the peer's entries in, before the proxy serves.
    @Test func test_peerEntriesArrivingBeforeTheProxyServes_areMergedWhenItStarts() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        var plan = Self.stickPlan([s1, s2])
        plan.stickTables[0].peers = "pair"
        let learnt = StickRecord(table: "app", key: "alice", server: "websvr2", stamp: WallClock.milliseconds(), expiresIn: 60_000)
        let early: (ProxyService) async -> Void = { service in await service.mergeStickRecords([learnt]) }
        try await ProxyHarness.withProxy(plan, beforeRun: early) { service, port in
            let entry = await service.stickTables().first?.entries.first { $0.key == "alice" }
            #expect(entry?.server == "websvr2")
            for _ in 0..<4 {
                let reached = try Self.reached(port, client: "alice")
                #expect(reached == "websvr2")
            }
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_entryForAServerInMaintenance_isRebalancedAndUpdated() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(Self.stickPlan([s1, s2])) { service, port in
            let first = try Self.reached(port, client: "alice")
            let other = first == "websvr1" ? "websvr2" : "websvr1"
            try await service.setServerAdmin(backend: "app", server: first, .maint)
            #expect(try Self.reached(port, client: "alice") == other)
            let entry = await service.stickTables().first?.entries.first { $0.key == "alice" }
            #expect(entry?.server == other)
            try await service.setServerAdmin(backend: "app", server: first, .ready)
            for _ in 0..<4 { #expect(try Self.reached(port, client: "alice") == other, "the updated entry holds") }
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_drainedServer_keepsItsStuckClients() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(Self.stickPlan([s1, s2])) { service, port in
            let first = try Self.reached(port, client: "alice")
            try await service.setServerAdmin(backend: "app", server: first, .drain)
            for _ in 0..<3 { #expect(try Self.reached(port, client: "alice") == first) }
            #expect(try Self.reached(port, client: "dave") != first, "a new client avoids the drained server")
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_expiredEntry_isGone() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(Self.stickPlan([s1, s2], expire: 300)) { service, port in
            _ = try Self.reached(port, client: "alice")
            #expect(await service.stickTables().first?.entries.count == 1)
            let gone = try await ProxyHarness.waitUntil(seconds: 3) { await service.stickTables().first?.entries.isEmpty == true }
            #expect(gone)
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_clearTable_forgetsEveryEntryOnEveryLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        try await ProxyHarness.withProxy(Self.stickPlan([s1, s2])) { service, port in
            for client in ["a", "b", "c", "d"] { _ = try Self.reached(port, client: client) }
            #expect(try await service.clearStickTable("app", key: "a") == 1)
            #expect(try await service.clearStickTable("app") == 3)
            #expect(await service.stickTables().first?.entries.isEmpty == true)
            await #expect(throws: ProxyControlError.self) { try await service.clearStickTable("nope") }
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_reload_keepsAnUnchangedTable_andEmptiesAChangedOne() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        let plan = Self.stickPlan([s1, s2])
        var placed: [String: String] = [:]
        try await ProxyHarness.withProxy(plan) { old, port in
            for client in ["a", "b", "c", "d"] { placed[client] = try Self.reached(port, client: client) }
            let same = ProxyService(plan: plan, bus: .init(), logger: Logger(label: "t"), drainTimeout: .milliseconds(200))
            same.inheritStickTables(from: old)
            var changedPlan = plan
            changedPlan.stickTables[0].size = 200
            let changed = ProxyService(plan: changedPlan, bus: .init(), logger: Logger(label: "t"), drainTimeout: .milliseconds(200))
            changed.inheritStickTables(from: old)
            for (service, expected) in [(same, 4), (changed, 0)] {
                let task = Task { try await service.run() }
                #expect(try await ProxyHarness.waitUntil(seconds: 5) { service.isAcceptingConnections() })
                #expect(await service.stickTables().first?.entries.count == expected)
                if expected == 4, let newPort = service.boundAddresses().first?.port {
                    for (client, server) in placed { #expect(try Self.reached(newPort, client: client) == server) }
                    // A store on the old instance after the new one started is adopted at the switch.
                    placed["late"] = try Self.reached(port, client: "late")
                    #expect(await service.stickTables().first?.entries.count == 4)
                    await service.adoptStickTables(from: old)
                    #expect(await service.stickTables().first?.entries.first { $0.key == "late" }?.server == placed["late"])
                }
                task.cancel()
                _ = try? await task.value
            }
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_stickOnSrc_inModeTCP_keepsTheClientOnOneServer() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        var plan = Self.stickPlan([s1, s2], pattern: .init(fetch: .source))
        plan.frontends[0].mode = .tcp
        plan.backends[0].mode = .tcp
        plan.stickTables = [StickTablePlan(name: "app", type: .ip, size: 100, expireMilliseconds: 60_000)]
        try await ProxyHarness.withProxy(plan) { service, port in
            let reached = try (0..<6).map { _ in Self.server(of: try TestConnection.get(port: port)) }
            #expect(Set(reached).count == 1, "round robin would alternate: \(reached)")
            #expect(await service.stickTables().first?.entries.map(\.key) == ["127.0.0.1"])
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }
}
