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

    /// Sends a raw notification such as `READY=1\nSTATUS=...`; returns whether it was delivered.
    @discardableResult
    public func notify(_ rawState: String) -> Bool {
        sd_notify(0, rawState) > 0
    }

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
