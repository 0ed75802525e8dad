public import Logging
public import ServiceLifecycle
import NIOCore

/// Keeps one service (the proxy) running (ARCHITECTURE.md "the path of one failure"): when it
/// returns or throws outside a graceful shutdown, the supervisor reports it (`onStop`, which
/// the liveness probe turns into `.proxyHealth(up: false)` at once), asks the `RestartPolicy`
/// when to start a fresh instance, and starts it; when the policy gives up it throws, which
/// stops the appliance and leaves the rest to systemd's `Restart=`.
///
/// A reason on `restartRequests` stops a service that still runs but is not healthy (the
/// liveness probe's verdict: it cancels the instance, which closes its listeners and drains,
/// bounded) and restarts it under the same policy.
///
/// The supervised service runs in a child of the supervisor's task, so it receives the group's
/// graceful shutdown as usual.
public struct Supervisor: Service {
    /// Builds a fresh instance of the supervised service for each (re)start.
    public typealias Factory = @Sendable () async throws -> any Service

    public let name: String
    private let factory: Factory
    private let tuning: RestartPolicy.Tuning
    private let onStop: @Sendable (String) -> Void
    private let onStart: @Sendable (Int) -> Void
    private let startupSucceeded: @Sendable () -> Bool
    private let logger: Logger
    private let restartRequests: AsyncStream<String>

    /// - Parameters:
    ///   - onStart: called with the attempt number (0 for the first start) before each start.
    ///   - onStop: called with the reason whenever the service stops unexpectedly.
    ///   - restartRequests: reasons to restart the running instance although it has not stopped.
    ///   - startupSucceeded: whether the first run got far enough to count as started; when
    ///     the first run fails before that, its error is thrown rather than retried (a
    ///     configuration the system cannot honour is not fixed by retrying).
    public init(
        name: String,
        tuning: RestartPolicy.Tuning = .init(),
        logger: Logger,
        onStart: @escaping @Sendable (Int) -> Void = { _ in },
        onStop: @escaping @Sendable (String) -> Void = { _ in },
        startupSucceeded: @escaping @Sendable () -> Bool = { true },
        restartRequests: AsyncStream<String> = AsyncStream { $0.finish() },
        factory: @escaping Factory
    ) {
        self.name = name
        self.factory = factory
        self.tuning = tuning
        self.onStop = onStop
        self.onStart = onStart
        self.startupSucceeded = startupSucceeded
        self.restartRequests = restartRequests
        self.logger = logger
    }

    static let requestedPrefix = "restart requested: "

    /// The supervisor gave up restarting.
    public struct GaveUp: Error, CustomStringConvertible {
        public var service: String
        public var reason: String
        public var description: String { "\(service) keeps stopping (\(reason)); giving up" }
    }

    public func run() async throws {
        var policy = RestartPolicy(tuning: tuning)
        var attempt = 0
        while true {
            onStart(attempt)
            policy.serviceStarted(now: .now())
            let reason: String
            do {
                let service = try await factory()
                reason = try await runUntilRestartRequested(service)
            } catch is CancellationError where Task.isCancelled {
                return
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                if attempt == 0, !startupSucceeded() { throw error }
                reason = "\(error)"
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }

            if reason.hasPrefix(Self.requestedPrefix) {
                logger.error("stopped the service to restart it", metadata: ["service": "\(name)", "reason": "\(reason)"])
            } else {
                logger.error("service stopped unexpectedly", metadata: ["service": "\(name)", "reason": "\(reason)"])
            }
            onStop("\(name) stopped: \(reason)")
            switch policy.serviceStopped(now: .now()) {
            case .giveUp(let why):
                logger.critical("giving up restarting", metadata: ["service": "\(name)", "reason": "\(why)"])
                throw GaveUp(service: name, reason: why)
            case .restart(let at, let number):
                let delay = at - .now()
                logger.warning("restarting", metadata: [
                    "service": "\(name)", "attempt": "\(number)", "in": "\(delay.nanoseconds / 1_000_000)ms",
                ])
                attempt = number
                if delay > .zero {
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .nanoseconds(delay.nanoseconds)) }
                    } catch {
                        return  // cancelled while waiting: the group is stopping
                    }
                    if Task.isShuttingDownGracefully { return }
                }
            }
        }
    }

    /// Runs `service` until it ends ("returned") or a restart is requested (the request's reason).
    private func runUntilRestartRequested(_ service: any Service) async throws -> String {
        let requests = restartRequests
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await service.run()
                return "returned"
            }
            group.addTask {
                for await reason in requests { return Self.requestedPrefix + reason }
                return nil
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let reason = finished { return reason }
            }
            return "returned"
        }
    }
}
