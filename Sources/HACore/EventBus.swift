/// The appliance's control-plane bus: publishers hand it `HAEvent`s, subscribers read them
/// as an `AsyncStream`.
///
/// Only control events travel here (state transitions, health changes, lifecycle); the
/// proxy's per-request path never touches the bus (ARCHITECTURE.md rule 1).
public actor EventBus {
    private var subscribers: [Int: AsyncStream<HAEvent>.Continuation] = [:]
    private var nextID = 0
    private var history: [HAEvent] = []
    private let historyLimit: Int
    /// `post` yields here and one task publishes in that order: events from one publisher
    /// reach every subscriber in the order they were posted (a task per event did not).
    private nonisolated let posted: AsyncStream<HAEvent>.Continuation

    /// - Parameter historyLimit: how many recent events `recent()` keeps for `status`.
    public init(historyLimit: Int = 256) {
        self.historyLimit = historyLimit
        let (stream, continuation) = AsyncStream<HAEvent>.makeStream(bufferingPolicy: .unbounded)
        self.posted = continuation
        Task { [weak self] in
            for await event in stream {
                guard let self else { return }
                await self.publish(event)
            }
        }
    }

    deinit {
        posted.finish()
    }

    /// Delivers `event` to every current subscriber.
    public func publish(_ event: HAEvent) {
        history.append(event)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        for continuation in subscribers.values { continuation.yield(event) }
    }

    /// A stream of every event published from now on; it ends when the caller stops iterating.
    public func subscribe(bufferingNewest limit: Int = 1024) -> AsyncStream<HAEvent> {
        let (stream, continuation) = AsyncStream<HAEvent>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        let id = nextID
        nextID += 1
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    /// The most recent events, oldest first.
    public func recent() -> [HAEvent] { history }

    /// Ends every subscription (appliance shutdown).
    public func finish() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }
}

/// Publishing from synchronous code (an event loop, a callback) without awaiting the actor.
extension EventBus {
    /// Never blocks the caller. Events posted from one thread (or one event loop) are published
    /// in the order posted; events posted concurrently from different threads have no order.
    public nonisolated func post(_ event: HAEvent) {
        posted.yield(event)
    }
}
