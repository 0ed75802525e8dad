public import HACore
public import Logging
public import ServiceLifecycle
import NIOCore

/// The bus subscriber that logs every `HAEvent` exactly once, as `EventLogRecord` says —
/// except dropped VRRP adverts, which repeat every advert interval: those are throttled per
/// instance and reason (`RepeatThrottle`, one line a minute with the count left out).
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
            var drops = RepeatThrottle()
            for await event in stream {
                var record = EventLogRecord(event)
                if case .vrrpPacketDropped(let instance, let reason) = event {
                    switch drops.occurred("\(instance) \(reason)", now: .now()) {
                    case .suppress: continue
                    case .log(let suppressed) where suppressed > 0: record.metadata["repeats_not_logged"] = "\(suppressed)"
                    case .log: break
                    }
                }
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
