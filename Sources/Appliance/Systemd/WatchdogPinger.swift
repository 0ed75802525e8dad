public import ServiceLifecycle
public import Systemd

/// Sends `WATCHDOG=1` at half of `WatchdogSec=` (sd_watchdog_enabled(3) recommends pinging at
/// half the timeout), so a wedged process is killed and restarted by systemd.
///
/// Only part of the group when the watchdog is enabled for this process.
public struct WatchdogPinger: Service {
    /// How often to ping: half the timeout.
    public let interval: Duration
    private let notifier: ServiceNotifier

    /// `nil` when the service manager expects no watchdog pings from this process.
    public init?(notifier: ServiceNotifier = ServiceNotifier()) {
        guard let timeout = notifier.watchdogTimeout() else { return nil }
        self.init(timeout: timeout, notifier: notifier)
    }

    public init(timeout: Duration, notifier: ServiceNotifier = ServiceNotifier()) {
        self.interval = timeout / 2
        self.notifier = notifier
    }

    public func run() async {
        let (interval, notifier) = (self.interval, self.notifier)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.notify(.watchdog)
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // cancelled: the group is stopping
                }
            }
        }
    }
}
