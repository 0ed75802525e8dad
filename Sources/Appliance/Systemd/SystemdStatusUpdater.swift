public import HACore
public import ServiceLifecycle
public import Systemd

/// The bus subscriber that keeps systemd's `STATUS=` equal to `StatusSummary.line`, sending
/// only when the line changes.
public struct SystemdStatusUpdater: Service {
    private let stream: AsyncStream<HAEvent>
    private let initial: StatusSummary
    private let notifier: ServiceNotifier

    /// Subscribes at once, so no event published after `init` returns is missed.
    public init(bus: EventBus, initial: StatusSummary, notifier: ServiceNotifier = ServiceNotifier()) async {
        self.stream = await bus.subscribe()
        self.initial = initial
        self.notifier = notifier
    }

    public func run() async {
        let (stream, initial, notifier) = (self.stream, self.initial, self.notifier)
        await cancelWhenGracefulShutdown {
            var summary = initial
            var sent = summary.line
            notifier.notify(.status(sent))
            for await event in stream {
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
