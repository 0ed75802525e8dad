#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Proxy

/// The operator's control plane observed by real clients: `set server state`, `set weight`,
/// `disable`/`enable frontend`, unknown names, and the loop heartbeat.
@Suite(.serialized) struct ProxyAdminTests {
    /// Two test servers behind a cookie-inserting backend (WEBSVR=1 / WEBSVR=2), with redispatch.
    func withTwoServers(_ body: (ProxyService, Int, TestHTTPServer, TestHTTPServer) async throws -> Void,
                        backend: (inout BackendPlan) -> Void = { _ in }) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        let plan = ProxyHarness.plan(servers: [s1, s2]) { b in
            b.cookie = CookiePersistence(name: "WEBSVR", mode: .insert)
            for i in b.servers.indices { b.servers[i].cookie = "\(i + 1)" }
            b.redispatch = true
            backend(&b)
        }
        do {
            try await ProxyHarness.withProxy(plan) { service, port in try await body(service, port, s1, s2) }
        } catch {
            await s1.stop()
            await s2.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    func bodies(port: Int, count: Int, headers: [String] = []) throws -> [String: Int] {
        var tally: [String: Int] = [:]
        for _ in 0..<count {
            let response = try TestConnection.get(port: port, headers: headers)
            tally[response.body, default: 0] += 1
        }
        return tally
    }

    let one = "This is HTTP server websvr1\n"
    let two = "This is HTTP server websvr2\n"

    @Test func test_drain_newClientsGoElsewhereAndCookieClientsStillReachTheDrainedServer() async throws {
        try await withTwoServers { service, port, _, _ in
            try await service.setServerAdmin(backend: "app", server: "websvr2", .drain)
            #expect(try bodies(port: port, count: 10) == [one: 10])
            let persisted = try TestConnection.get(port: port, headers: ["Cookie: WEBSVR=2"])
            #expect(persisted.body == two)
            let server = await service.snapshot().backends[0].servers[1]
            #expect(server.status == .drain)
            #expect(server.adminState == .drain)
        }
    }

    @Test func test_maint_redispatchesCookieClientsAndShowsMAINT() async throws {
        try await withTwoServers { service, port, _, s2 in
            try await service.setServerAdmin(backend: "app", server: "websvr2", .maint)
            let persisted = try TestConnection.get(port: port, headers: ["Cookie: WEBSVR=2"])
            #expect(persisted.body == one)
            #expect(persisted.headers("set-cookie") == ["WEBSVR=1; path=/"])
            #expect(try bodies(port: port, count: 6) == [one: 6])
            #expect(s2.trafficRequests.isEmpty)
            let server = await service.snapshot().backends[0].servers[1]
            #expect(server.status == .maint)
            #expect(server.secondsSinceLastChange != nil)

            try await service.setServerAdmin(backend: "app", server: "websvr2", .ready)
            #expect(try TestConnection.get(port: port, headers: ["Cookie: WEBSVR=2"]).body == two)
        }
    }

    @Test func test_setWeight_zeroThenThree_changesTheShareOf40Requests() async throws {
        try await withTwoServers { service, port, _, _ in
            try await service.setServerWeight(backend: "app", server: "websvr2", weight: 0)
            #expect(try bodies(port: port, count: 40) == [one: 40])
            #expect(await service.snapshot().backends[0].servers[1].status == .drain)
            try await service.setServerWeight(backend: "app", server: "websvr2", weight: 3)
            #expect(try bodies(port: port, count: 40) == [one: 10, two: 30])
            let server = await service.snapshot().backends[0].servers[1]
            #expect(server.weight == 3 && server.configuredWeight == 1 && server.status == .up)
        }
    }

    @Test func test_weightOutsideZeroTo256_isRefused() async throws {
        try await withTwoServers { service, _, _, _ in
            await #expect(throws: ProxyControlError.weightOutOfRange(backend: "app", server: "websvr1", weight: 257)) {
                try await service.setServerWeight(backend: "app", server: "websvr1", weight: 257)
            }
        }
    }

    @Test func test_disableFrontend_refusesConnectionsAndStopsAccepting_enableServesAgain() async throws {
        try await withTwoServers { service, port, _, _ in
            try await service.setFrontendEnabled("http-incoming", enabled: false)
            #expect(!service.isAcceptingConnections())
            #expect(service.isListening())
            #expect(service.boundAddresses().isEmpty)
            #expect(throws: TestConnection.Failure.self) { _ = try TestConnection(port: port) }
            #expect(await service.snapshot().frontends[0].status == .stop)

            try await service.setFrontendEnabled("http-incoming", enabled: true)
            #expect(service.isAcceptingConnections())
            #expect(try TestConnection.get(port: port).status == 200)
            #expect(await service.snapshot().frontends[0].status == .open)
        }
    }

    @Test func test_disableFrontend_letsAnEstablishedKeepAliveSessionFinish() async throws {
        try await withTwoServers { service, port, _, _ in
            let client = try TestConnection(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            try await service.setFrontendEnabled("http-incoming", enabled: false)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func test_unknownNames_areTypedErrorsNamingWhatIsKnown() async throws {
        try await withTwoServers { service, _, _, _ in
            await #expect(throws: ProxyControlError.unknownBackend("nope", known: ["app"])) {
                try await service.setServerAdmin(backend: "nope", server: "websvr1", .drain)
            }
            await #expect(throws: ProxyControlError.unknownServer(backend: "app", server: "web9", known: ["websvr1", "websvr2"])) {
                try await service.setServerWeight(backend: "app", server: "web9", weight: 1)
            }
            await #expect(throws: ProxyControlError.unknownFrontend("www", known: ["http-incoming"])) {
                try await service.setFrontendEnabled("www", enabled: false)
            }
            let description = ProxyControlError.unknownServer(backend: "app", server: "web9", known: ["websvr1", "websvr2"]).description
            #expect(description == "backend 'app' has no server named 'web9' (servers: websvr1, websvr2)")
        }
    }

    @Test func test_overridesOfOneInstance_startTheNextOne() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        let plan = ProxyHarness.plan(servers: [s1, s2])
        var carried = ProxyOverrides()
        try await ProxyHarness.withProxy(plan) { service, _ in
            try await service.setServerAdmin(backend: "app", server: "websvr1", .maint)
            try await service.setServerWeight(backend: "app", server: "websvr2", weight: 9)
            carried = service.operatorOverrides()
        }
        let service = ProxyService(plan: plan, bus: .init(), logger: .init(label: "test"), drainTimeout: .milliseconds(200),
                                   overrides: carried)
        let task = Task { try await service.run() }
        #expect(try await ProxyHarness.waitUntil(seconds: 5) { service.isListening() })
        let port = service.boundAddresses().first?.port ?? 0
        #expect(try bodies(port: port, count: 4) == [two: 4])
        let servers = await service.snapshot().backends[0].servers
        #expect(servers.map(\.status) == [.maint, .up])
        #expect(servers.map(\.weight) == [1, 9])
        task.cancel()
        _ = try await task.value
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_statistics_nameAddressChecksAndSessions() async throws {
        try await withTwoServers({ service, port, s1, _ in
            _ = try bodies(port: port, count: 4)
            let checked = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().backends[0].servers.allSatisfy { $0.lastCheckResult != nil }
            }
            #expect(checked)
            let stats = await service.snapshot()
            let server = stats.backends[0].servers[0]
            #expect(server.address.hasSuffix(":\(s1.port)"))
            #expect(server.lastCheckResult?.passed == true)
            #expect(server.lastCheckResult?.reason.hasPrefix("Layer") == true)
            #expect(stats.backends[0].servers.map(\.counters.totalSessions).reduce(0, +) == 4)
            #expect(stats.backends[0].servers.map(\.counters.responses2xx).reduce(0, +) == 4)
            #expect(server.queueLength == 0)
            #expect(stats.frontends[0].status == .open)
        }, backend: { b in
            for i in b.servers.indices {
                b.servers[i].check = true
                b.servers[i].inter = .milliseconds(100)
            }
        })
    }

    @Test func test_loopsResponsive_trueWhenLoopsRun() async throws {
        try await withTwoServers { service, _, _, _ in
            #expect(await service.loopsResponsive(within: .seconds(2)))
        }
    }

    @Test func test_loopsResponsive_falseWithinTheDeadlineWhileALoopIsBlocked() async throws {
        try await withTwoServers { service, _, _, _ in
            let release = Atomic<Bool>(false)
            let blocked = Atomic<Bool>(false)
            let loop = try #require(service.eventLoops().first)
            loop.execute {
                blocked.store(true, ordering: .relaxed)
                while !release.load(ordering: .relaxed) { usleep(1000) }
            }
            _ = try await ProxyHarness.waitUntil(seconds: 5) { blocked.load(ordering: .relaxed) }
            let clock = ContinuousClock()
            let started = clock.now
            let responsive = await service.loopsResponsive(within: .milliseconds(200))
            let waited = clock.now - started
            release.store(true, ordering: .relaxed)
            #expect(!responsive)
            #expect(waited < .seconds(2))
            #expect(await service.loopsResponsive(within: .seconds(2)))
        }
    }

    @Test func test_loopsResponsive_answeredByTheLoops_isNeverOverturnedByTheCancelledTimer() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        var answers: [Bool] = []
        for _ in 0..<300 { answers.append(await ProxyService.loopsResponsive(loops, within: .seconds(5))) }
        #expect(answers.allSatisfy { $0 })
        try await group.shutdownGracefully()
    }

    @Test func test_loopsResponsive_falseWhenNotRunning() async {
        let service = ProxyService(plan: ProxyHarnessPlans.twoServers(["a"]), bus: .init(), logger: .init(label: "test"))
        #expect(await !service.loopsResponsive(within: .milliseconds(100)))
    }
}

/// `maint` stops a server's health checks; `ready` resumes them.
@Suite(.serialized) struct ProxyAdminHealthTests {
    @Test func test_maint_stopsHealthChecks_readyResumesThem() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        let plan = ProxyHarness.plan(servers: [s1, s2]) { b in
            for i in b.servers.indices {
                b.servers[i].check = true
                b.servers[i].inter = .milliseconds(50)
            }
        }
        try await ProxyHarness.withProxy(plan) { service, _ in
            try await service.setServerAdmin(backend: "app", server: "websvr2", .maint)
            let maintChecks = s2.connectionsAccepted.load(ordering: .relaxed)
            // The other server's checks are the clock: four more of them is four intervals.
            let reference = s1.connectionsAccepted.load(ordering: .relaxed)
            #expect(try await ProxyHarness.waitUntil(seconds: 5) { s1.connectionsAccepted.load(ordering: .relaxed) >= reference + 4 })
            // At most the one check already connecting when maint arrived.
            #expect(s2.connectionsAccepted.load(ordering: .relaxed) <= maintChecks + 1)

            try await service.setServerAdmin(backend: "app", server: "websvr2", .ready)
            let resumedFrom = s2.connectionsAccepted.load(ordering: .relaxed)
            #expect(try await ProxyHarness.waitUntil(seconds: 5) { s2.connectionsAccepted.load(ordering: .relaxed) > resumedFrom })
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }
}
