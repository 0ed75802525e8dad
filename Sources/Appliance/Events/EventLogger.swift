public import HACore
public import Logging
public import ServiceLifecycle

/// The bus subscriber that logs every `HAEvent` exactly once, as `EventLogRecord` says.
///
/// Runs as a `Service` placed first in the group so it is shut down last and still logs the
/// `stopping` event and what the other services publish while they stop. When its own graceful
/// shutdown arrives it publishes `.lifecycle(.stopped)`, logs everything queued before it, and returns.
public struct EventLogger: Service {
    private let bus: EventBus
    private let stream: AsyncStream<HAEvent>
    private let makeLogger: @Sendable (String) -> Logger

    /// Subscribes at once, so no event published after `init` returns is missed.
    public init(bus: EventBus, makeLogger: @escaping @Sendable (String) -> Logger = { Logger(label: $0) }) async {
        self.bus = bus
        self.stream = await bus.subscribe()
        self.makeLogger = makeLogger
    }

    public func run() async {
        let bus = self.bus
        await withGracefulShutdownHandler {
            var loggers: [String: Logger] = [:]
            for await event in stream {
                let record = EventLogRecord(event)
                let logger = loggers[record.component] ?? makeLogger(record.component)
                loggers[record.component] = logger
                logger.log(level: record.level, "\(record.message)", metadata: record.metadata)
                if case .lifecycle(.stopped) = event { return }
            }
        } onGracefulShutdown: {
            bus.post(.lifecycle(.stopped))
        }
    }
}
