#if DEBUG
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// TEST-ONLY fault injection, compiled into debug builds only (never into a release build).
///
/// `HACTL_TEST_STALL_PROXY_LOOP_AFTER_MS=N`: N milliseconds after the proxy starts listening,
/// its first event loop runs a task that blocks that loop's thread until the process exits:
/// a wedged loop, for exercising `ProxyService.loopsResponsive(within:)` and the systemd
/// watchdog end to end. Do not set it on a node that serves traffic.
///
/// `HACTL_TEST_STALL_TLS_HANDSHAKE_AFTER_MS=N`: N milliseconds after the proxy starts
/// listening, every `bind ... ssl` connection accepted from then on has its bytes dropped
/// before they reach the TLS handler: handshakes never complete while every loop stays
/// responsive and plain binds keep answering. Only a probe that speaks TLS notices it.
///
/// `HACTL_TEST_FAIL_PROXY_WHEN_FILE_EXISTS=PATH`: once PATH exists, the serving proxy stops
/// and reports a failure, as a crashed proxy would, and the supervisor starts it again. Once
/// per process: the restarted proxy serves on.
enum TestFaults {
    static let stallVariable = "HACTL_TEST_STALL_PROXY_LOOP_AFTER_MS"
    static let tlsStallVariable = "HACTL_TEST_STALL_TLS_HANDSHAKE_AFTER_MS"
    static let failVariable = "HACTL_TEST_FAIL_PROXY_WHEN_FILE_EXISTS"
    private static let failureInjected = Atomic<Bool>(false)

    struct InjectedFailure: Error, CustomStringConvertible {
        var description: String { "test fault: proxy failure injected (\(TestFaults.failVariable))" }
    }

    /// Serves until graceful shutdown; true when the failure fault's file appeared first.
    static func serveUntilShutdownOrInjectedFailure(logger: Logger) async -> Bool {
        guard let text = getenv(failVariable), !failureInjected.load(ordering: .relaxed) else {
            try? await gracefulShutdown()
            return false
        }
        let path = String(cString: text)
        let failed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                return false
            }
            group.addTask {
                while !Task.isCancelled {
                    if access(path, F_OK) == 0 { return true }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if failed {
            failureInjected.store(true, ordering: .relaxed)
            logger.warning("test fault: the proxy fails now", metadata: ["variable": "\(failVariable)", "file": "\(path)"])
        }
        return failed
    }

    /// When TLS handshakes start stalling (nil: never).
    private static let tlsStallDeadline = Mutex<NIODeadline?>(nil)

    static func armLoopStall(loops: [any EventLoop], logger: Logger) {
        armTLSStall(logger: logger)
        guard let text = getenv(stallVariable), let milliseconds = Int64(String(cString: text)), milliseconds >= 0,
              let loop = loops.first else { return }
        logger.warning("test fault armed: the first proxy loop will block", metadata: [
            "variable": "\(stallVariable)", "afterMilliseconds": "\(milliseconds)",
        ])
        loop.scheduleTask(in: .milliseconds(milliseconds)) {
            while true { pause() }
        }
    }

    private static func armTLSStall(logger: Logger) {
        guard let text = getenv(tlsStallVariable), let milliseconds = Int64(String(cString: text)), milliseconds >= 0 else { return }
        let armed = tlsStallDeadline.withLock { deadline -> Bool in
            guard deadline == nil else { return false }  // a restarted proxy keeps the first deadline
            deadline = .now() + .milliseconds(milliseconds)
            return true
        }
        guard armed else { return }
        logger.warning("test fault armed: TLS handshakes will stall", metadata: [
            "variable": "\(tlsStallVariable)", "afterMilliseconds": "\(milliseconds)",
        ])
    }

    /// The handler that drops a TLS connection's bytes once the stall is due; nil when the fault
    /// is not armed.
    static func tlsStallHandler() -> (any ChannelHandler)? {
        guard let deadline = tlsStallDeadline.withLock({ $0 }) else { return nil }
        return DroppedTLSInput(from: deadline)
    }

    /// Drops every inbound byte from `from` on: the TLS handler after it waits for ever.
    final class DroppedTLSInput: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let from: NIODeadline

        init(from: NIODeadline) { self.from = from }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard NIODeadline.now() < from else { return }
            context.fireChannelRead(data)
        }
    }
}
#endif
