public import Logging
public import ServiceLifecycle
public import Systemd

/// Sends `WATCHDOG=1` at half of `WatchdogSec=` (sd_watchdog_enabled(3) recommends pinging at
/// half the timeout), so a wedged process is killed and restarted by systemd.
///
/// A ping from a task that merely sleeps would tell systemd all is well while the proxy's or
/// the VRRP engine's event loops are stuck. So each ping is earned: every loop must first run
/// a heartbeat task within half the ping interval. While one does not, no ping is sent (and
/// the miss is logged once): systemd restarts the process when `WatchdogSec` runs out.
///
/// Only part of the group when the watchdog is enabled for this process.
public struct WatchdogPinger: Service {
    /// Runs a heartbeat on every loop it knows of and names those that did not answer within
    /// `deadline` (an empty list: every loop answered).
    public typealias Heartbeat = @Sendable (_ deadline: Duration) async -> [String]

    /// How often to ping: half the timeout.
    public let interval: Duration
    private let heartbeat: Heartbeat
    private let send: @Sendable (NotifyState) -> Void
    private let logger: Logger

    /// `nil` when the service manager expects no watchdog pings from this process.
    public init?(notifier: ServiceNotifier = ServiceNotifier(), logger: Logger, heartbeat: @escaping Heartbeat) {
        guard let timeout = notifier.watchdogTimeout() else { return nil }
        self.init(timeout: timeout, logger: logger, heartbeat: heartbeat, send: { _ = notifier.notify($0) })
    }

    public init(timeout: Duration, logger: Logger, heartbeat: @escaping Heartbeat,
                send: @escaping @Sendable (NotifyState) -> Void) {
        self.interval = timeout / 2
        self.heartbeat = heartbeat
        self.send = send
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            var previous: [String] = []
            while !Task.isCancelled {
                previous = await tick(previouslyUnresponsive: previous)
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // cancelled: the group is stopping
                }
            }
        }
    }

    /// One round: the heartbeat, then the ping if it was earned. Returns what did not answer.
    public func tick(previouslyUnresponsive previous: [String]) async -> [String] {
        let unresponsive = await heartbeat(interval / 2)
        if unresponsive.isEmpty {
            send(.watchdog)
            if !previous.isEmpty { logger.notice("watchdog pings resumed: every loop answers again") }
        } else if unresponsive != previous {
            logger.critical("watchdog ping withheld: event loops not answering", metadata: [
                "loops": "\(unresponsive.joined(separator: ","))", "within": "\(interval / 2)",
            ])
        }
        return unresponsive
    }
}
