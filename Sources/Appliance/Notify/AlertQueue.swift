/// The mails waiting for the SMTP server, bounded: when full, the oldest is dropped (the newest
/// state is the one the operator needs) and counted.
struct AlertQueue<Element> {
    let capacity: Int
    private var items: [Element] = []
    /// How many were dropped since the start.
    private(set) var dropped = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { items.count }

    /// Adds `element`; returns the one dropped to make room, if any.
    mutating func append(_ element: Element) -> Element? {
        var removed: Element?
        if items.count == capacity {
            removed = items.removeFirst()
            dropped += 1
        }
        items.append(element)
        return removed
    }

    /// Everything queued, oldest first (one SMTP connection's batch); the queue is left empty.
    mutating func takeAll() -> [Element] {
        defer { items.removeAll(keepingCapacity: true) }
        return items
    }
}

extension AlertQueue: Sendable where Element: Sendable {}
