public import HACore
public import ServiceLifecycle
public import Systemd
import Synchronization

/// The bus subscriber that keeps systemd's `STATUS=` equal to `StatusSummary.line`, sending
/// only when the line changes.
public struct SystemdStatusUpdater: Service {
    private let stream: AsyncStream<HAEvent>
    private let initial: StatusSummary
    private let notifier: ServiceNotifier
    private let pending = PendingLayout()

    /// The configured instances and servers after a reload, taken in with the next event
    /// (the reload publishes `.configurationLoaded` right after).
    public func reconfigure(instances: [String], servers: [StatusSummary.ServerKey]) {
        pending.set((instances, servers))
    }

    /// Subscribes at once, so no event published after `init` returns is missed.
    public init(bus: EventBus, initial: StatusSummary, notifier: ServiceNotifier = ServiceNotifier()) async {
        self.stream = await bus.subscribe()
        self.initial = initial
        self.notifier = notifier
    }

    public func run() async {
        let (stream, initial, notifier, pending) = (self.stream, self.initial, self.notifier, self.pending)
        await cancelWhenGracefulShutdown {
            var summary = initial
            var sent = summary.line
            notifier.notify(.status(sent))
            for await event in stream {
                if let layout = pending.take() {
                    summary.reconfigure(instances: layout.instances, servers: layout.servers)
                }
                summary.apply(event)
                let line = summary.line
                if line != sent {
                    notifier.notify(.status(line))
                    sent = line
                }
            }
        }
    }
}

/// A reconfiguration handed from the reloader to the updater's loop.
final class PendingLayout: Sendable {
    private let value = Mutex<(instances: [String], servers: [StatusSummary.ServerKey])?>(nil)

    func set(_ layout: (instances: [String], servers: [StatusSummary.ServerKey])) {
        value.withLock { $0 = layout }
    }

    func take() -> (instances: [String], servers: [StatusSummary.ServerKey])? {
        value.withLock { current in
            defer { current = nil }
            return current
        }
    }
}
