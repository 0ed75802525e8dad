import CSystemd

/// sd_notify(3) through libsystemd: tells the service manager that hactl is ready,
/// what it is doing, and that it is stopping. Without `NOTIFY_SOCKET` every call is a no-op.
public struct ServiceNotifier: Sendable {
    public init() {}

    /// Sends a raw notification state such as `READY=1\nSTATUS=...`; returns whether it was delivered.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }
}
