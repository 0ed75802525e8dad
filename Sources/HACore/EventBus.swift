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

    /// - Parameter historyLimit: how many recent events `recent()` keeps for `status`.
    public init(historyLimit: Int = 256) {
        self.historyLimit = historyLimit
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
    public nonisolated func post(_ event: HAEvent) {
        Task { await self.publish(event) }
    }
}
