import CSystemd
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// sd_notify(3) through libsystemd: tells the service manager that hactl is ready, reloading,
/// stopping, what it is doing (`STATUS=`), and that it is alive (`WATCHDOG=1`).
///
/// Without `NOTIFY_SOCKET` in the environment (not started by systemd with `Type=notify`)
/// every call is a harmless no-op that returns `false`.
public struct ServiceNotifier: Sendable {
    public init() {}

    /// Sends one datagram holding every state in `states`, newline-separated, as sd_notify(3)
    /// expects; returns whether it was delivered.
    @discardableResult
    public func notify(_ states: [NotifyState]) -> Bool {
        guard !states.isEmpty else { return false }
        let now = MonotonicClock.microseconds()
        let message = states.map { $0.assignments(monotonicMicroseconds: now) }.joined(separator: "\n")
        return notify(message)
    }

    /// Sends one state; see `notify(_:)`.
    @discardableResult
    public func notify(_ state: NotifyState) -> Bool {
        notify([state])
    }

    /// Queues a raw notification such as `READY=1\nSTATUS=...`; returns whether it was queued.
    ///
    /// sd_notify(3) sends with a blocking `sendmsg`: when the reader of `NOTIFY_SOCKET` stops
    /// reading, its queue fills (10 datagrams by default) and the call blocks. Called from a task,
    /// that blocks a thread of Swift's cooperative pool (two on a 2-core machine: two such calls
    /// stop every task of the process). So datagrams leave from a serial queue of their own, in
    /// order; past `pendingLimit` unsent ones, new ones are dropped rather than piled up.
    @discardableResult
    public func notify(_ rawState: String) -> Bool {
        guard isEnabled else { return false }
        let admitted = Self.pending.withLock { count -> Bool in
            guard count < Self.pendingLimit else { return false }
            count += 1
            return true
        }
        guard admitted else { return false }
        Self.queue.async {
            _ = sd_notify(0, rawState)
            Self.pending.withLock { $0 -= 1 }
        }
        return true
    }

    /// Waits (at most `timeout`) until every queued notification has been handed to the
    /// socket: before the process exits, so `STOPPING=1` is not lost.
    public func flush(timeout: Duration = .seconds(1)) {
        let done = DispatchSemaphore(value: 0)
        Self.queue.async { done.signal() }
        _ = done.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)))
    }

    private static let queue = DispatchQueue(label: "hactl.sd_notify")
    private static let pending = Mutex(0)
    private static let pendingLimit = 64

    /// The interval at which the service manager expects `WATCHDOG=1` (`WatchdogSec=` of the
    /// unit, passed as `WATCHDOG_USEC`), or `nil` when the watchdog is off or meant for another
    /// process (`WATCHDOG_PID`). sd_watchdog_enabled(3).
    public func watchdogTimeout() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// Whether `NOTIFY_SOCKET` names a socket to notify (the process runs under `Type=notify`).
    public var isEnabled: Bool {
        guard let value = getenv("NOTIFY_SOCKET") else { return false }
        return value.pointee != 0
    }
}
