/// One of the sd_notify(3) assignments hactl sends to the service manager.
///
/// See systemd's sd_notify(3) "Well-known assignments" and systemd.service(5) `Type=notify`
/// and `Type=notify-reload`.
public enum NotifyState: Sendable, Hashable {
    /// `READY=1`: start-up (or a reload) is finished and the service is serving.
    case ready
    /// `RELOADING=1` with `MONOTONIC_USEC=`: a reload started (SIGHUP); `Type=notify-reload`
    /// requires the monotonic timestamp. Must be followed by `READY=1` when done.
    case reloading
    /// `STOPPING=1`: graceful shutdown has begun.
    case stopping
    /// `STATUS=...`: a one-line, human-readable summary shown by `systemctl status`.
    case status(String)
    /// `WATCHDOG=1`: keep-alive ping for `WatchdogSec=`.
    case watchdog

    /// The `KEY=value` line(s) for this state; `monotonicMicroseconds` is CLOCK_MONOTONIC now.
    public func assignments(monotonicMicroseconds: UInt64) -> String {
        switch self {
        case .ready: "READY=1"
        case .reloading: "RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds)"
        case .stopping: "STOPPING=1"
        case .status(let text): "STATUS=\(Self.oneLine(text))"
        case .watchdog: "WATCHDOG=1"
        }
    }

    /// A status must stay on one line: a newline would start a new assignment.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
