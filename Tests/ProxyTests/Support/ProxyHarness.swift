import HACore
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// Runs a `ProxyService` for the duration of a test body and stops it (by cancelling its task).
enum ProxyHarness {
    static func withProxy(_ plan: ProxyPlan, bus: EventBus = EventBus(), probeConnections: ProbeConnections = ProbeConnections(),
                          logs: LogCapture? = nil, beforeRun: (ProxyService) async -> Void = { _ in },
                          _ body: (ProxyService, Int) async throws -> Void) async throws {
        var logger = logs.map { capture in Logger(label: "proxy-test") { _ in capture.handler } } ?? Logger(label: "proxy-test")
        logger.logLevel = .warning
        let service = ProxyService(plan: plan, bus: bus, logger: logger, drainTimeout: .milliseconds(200), probeConnections: probeConnections)
        await beforeRun(service)
        let task = Task { try await service.run() }
        let started = try await waitUntil(seconds: 5) { service.isAcceptingConnections() }
        guard started else {
            task.cancel()
            _ = try await task.value
            Issue.record("proxy did not start")
            return
        }
        let port = service.boundAddresses().first?.port ?? 0
        do {
            try await body(service, port)
        } catch {
            task.cancel()
            _ = try? await task.value
            throw error
        }
        task.cancel()
        _ = try await task.value
    }

    /// One test server ("websvr1") behind a proxy built by `plan(servers:backend:frontend:)`,
    /// both stopped after `body` (also when it throws), which gets the server and the proxy's port.
    static func withOneServer(backend: (inout BackendPlan) -> Void = { _ in }, frontend: (inout FrontendPlan) -> Void = { _ in },
                              _ body: (TestHTTPServer, Int) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        do {
            try await withProxy(plan(servers: [s1], backend: backend, frontend: frontend)) { _, port in try await body(s1, port) }
        } catch {
            await s1.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    /// Polls `condition` until it holds or the deadline passes.
    static func waitUntil(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        while clock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    /// Waits for a bus event matching `predicate`.
    static func waitForEvent(_ stream: AsyncStream<HAEvent>, seconds: Double, _ predicate: @escaping @Sendable (HAEvent) -> Bool) async -> HAEvent? {
        await withTaskGroup(of: HAEvent?.self) { group in
            group.addTask {
                for await event in stream where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    static func plan(servers: [TestHTTPServer], backend: (inout BackendPlan) -> Void = { _ in },
                     frontend: (inout FrontendPlan) -> Void = { _ in }) -> ProxyPlan {
        var b = BackendPlan(name: "app", servers: servers.map {
            ServerPlan(name: $0.name, host: "127.0.0.1", port: $0.port)
        })
        var timeouts = TimeoutPlan()
        timeouts.connect = .seconds(1)
        timeouts.server = .seconds(5)
        timeouts.client = .seconds(5)
        b.timeouts = timeouts
        backend(&b)
        var f = FrontendPlan(name: "http-incoming", binds: [BindPlan(host: "127.0.0.1", port: 0)], timeouts: timeouts, defaultBackend: 0)
        frontend(&f)
        return ProxyPlan(threads: 2, frontends: [f], backends: [b])
    }
}
