#if DEBUG
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import NIOCore

/// TEST-ONLY fault injection, compiled into debug builds only (never into a release build).
///
/// `HACTL_TEST_STALL_PROXY_LOOP_AFTER_MS=N`: N milliseconds after the proxy starts listening,
/// its first event loop runs a task that blocks that loop's thread until the process exits:
/// a wedged loop, for exercising `ProxyService.loopsResponsive(within:)` and the systemd
/// watchdog end to end. Do not set it on a node that serves traffic.
enum TestFaults {
    static let stallVariable = "HACTL_TEST_STALL_PROXY_LOOP_AFTER_MS"

    static func armLoopStall(loops: [any EventLoop], logger: Logger) {
        guard let text = getenv(stallVariable), let milliseconds = Int64(String(cString: text)), milliseconds >= 0,
              let loop = loops.first else { return }
        logger.warning("test fault armed: the first proxy loop will block", metadata: [
            "variable": "\(stallVariable)", "afterMilliseconds": "\(milliseconds)",
        ])
        loop.scheduleTask(in: .milliseconds(milliseconds)) {
            while true { pause() }
        }
    }
}
#endif
