import CSystemd
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
    /// sd_notify(3) sends with a blocking `sendmsg`: the datagrams leave from `SendQueue` (see
    /// there why), in order; past 64 unsent ones, new ones are dropped and counted.
    @discardableResult
    public func notify(_ rawState: String) -> Bool {
        guard isEnabled else { return false }
        return Self.queue.submit { _ in _ = sd_notify(0, rawState) }
    }

    /// Waits (at most `timeout`) until every queued notification has been handed to the
    /// socket: before the process exits, so `STOPPING=1` is not lost.
    public func flush(timeout: Duration = .seconds(1)) {
        Self.queue.flush(timeout: timeout)
    }

    /// Notifications dropped because 64 were already waiting for the socket.
    public var dropped: Int { Self.queue.dropped }

    private static let queue = SendQueue(label: "hactl.sd_notify", limit: 64)

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
