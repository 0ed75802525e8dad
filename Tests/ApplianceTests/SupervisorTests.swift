import Appliance
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct SupervisorTests {
    struct Crash: Error, CustomStringConvertible {
        var description: String { "crash" }
    }

    /// Fails its first `failures` runs, then runs until graceful shutdown.
    final class Flaky: Service {
        let runs: Mutex<Int>
        let failures: Int
        init(failures: Int) {
            self.runs = Mutex(0)
            self.failures = failures
        }
        func run() async throws {
            let run = runs.withLock { count in
                count += 1
                return count
            }
            if run <= failures { throw Crash() }
            try await gracefulShutdown()
        }
    }

    let fast = RestartPolicy.Tuning(initialBackoff: .milliseconds(1), maximumBackoff: .milliseconds(4), burstLimit: 3, burstWindow: .seconds(60))

    @Test(.timeLimit(.minutes(1))) func test_crashingService_isRestarted_andEachStopIsReported() async throws {
        let flaky = Flaky(failures: 2)
        let stops = Mutex<[String]>([])
        let (starts, started) = AsyncStream<Int>.makeStream()
        let supervisor = Supervisor(
            name: "proxy", tuning: fast, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onStart: { attempt in started.yield(attempt) },
            onStop: { reason in stops.withLock { $0.append(reason) } },
            factory: { flaky }
        )
        let group = ServiceGroup(configuration: .init(services: [supervisor], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try await group.run() }
        var attempts: [Int] = []
        for await attempt in starts {
            attempts.append(attempt)
            if attempts.count == 3 { break }
        }
        #expect(attempts == [0, 1, 2])
        #expect(stops.withLock { $0 } == ["proxy stopped: crash", "proxy stopped: crash"])
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func test_serviceThatKeepsCrashing_makesTheSupervisorGiveUp() async throws {
        let flaky = Flaky(failures: .max)
        let supervisor = Supervisor(name: "proxy", tuning: fast, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), factory: { flaky })
        await #expect(throws: Supervisor.GaveUp.self) { try await supervisor.run() }
        #expect(flaky.runs.withLock { $0 } == 4)
    }

    @Test func test_firstRunFailingBeforeStartup_isThrownNotRetried() async throws {
        let flaky = Flaky(failures: .max)
        let supervisor = Supervisor(
            name: "proxy", tuning: fast, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            startupSucceeded: { false }, factory: { flaky }
        )
        await #expect(throws: Crash.self) { try await supervisor.run() }
        #expect(flaky.runs.withLock { $0 } == 1)
    }

    @Test(.timeLimit(.minutes(1))) func test_restartRequest_stopsTheRunningInstance_andStartsAFreshOne() async throws {
        let healthy = Flaky(failures: 0)
        let (requests, request) = AsyncStream<String>.makeStream()
        let (starts, started) = AsyncStream<Int>.makeStream()
        let stops = Recorder<String>()
        let supervisor = Supervisor(
            name: "proxy", tuning: fast, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onStart: { started.yield($0) }, onStop: { stops.append($0) },
            restartRequests: requests, factory: { healthy }
        )
        let group = ServiceGroup(configuration: .init(services: [supervisor], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try await group.run() }
        var attempts: [Int] = []
        for await attempt in starts {
            attempts.append(attempt)
            if attempts.count == 1 { request.yield("2 failed probes") }
            if attempts.count == 2 { break }
        }
        #expect(attempts == [0, 1])
        #expect(stops.all == ["proxy stopped: restart requested: 2 failed probes"])
        #expect(healthy.runs.withLock { $0 } >= 1)
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
