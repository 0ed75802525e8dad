import FoundationEssentials
public import HACore

/// A STICK frame's payload: a batch of entries, JSON-encoded.
///
/// `resync: true` with no entries asks the peer for all of its live entries. The key is optional:
/// a peer built before it decodes the request as an empty batch and ignores it (its proxy then
/// catches up at the next connection, as before).
struct StickBatch: Codable {
    var entries: [StickRecord]
    var resync: Bool?

    init(entries: [StickRecord], resync: Bool? = nil) {
        self.entries = entries
        self.resync = resync
    }

    /// The payload that asks for a resync.
    static func resyncRequest() -> [UInt8] {
        (try? JSONEncoder().encode(StickBatch(entries: [], resync: true))).map(Array.init) ?? []
    }

    /// Cuts `entries` into payloads each small enough for one frame (`PeerSession.maximumFrameLength`).
    static func payloads(_ entries: [StickRecord], limit: Int = 48_000) -> [[UInt8]] {
        guard !entries.isEmpty else { return [] }
        guard let encoded = try? JSONEncoder().encode(StickBatch(entries: entries)) else { return [] }
        if encoded.count <= limit { return [Array(encoded)] }
        // An entry alone above the limit (a huge string key) cannot be sent: dropped.
        guard entries.count > 1 else { return [] }
        let half = entries.count / 2
        return payloads(Array(entries[..<half]), limit: limit) + payloads(Array(entries[half...]), limit: limit)
    }

    static func decode(_ payload: [UInt8]) -> StickBatch? {
        try? JSONDecoder().decode(StickBatch.self, from: Data(payload))
    }
}

extension PeerLink {
    /// The most entries waiting for a congested channel; beyond it the oldest are dropped (the
    /// full resync on the next connection repairs the peer's copy).
    public static let stickQueueLimit = 20_000

    /// Pushes stick-table entries to the peer: sent at once while the channel is up and
    /// writable, queued (bounded) while it is congested, dropped while it is down (a full
    /// resync follows every connection: the appliance sends its live entries on `.up`).
    public func sendStickEntries(_ entries: [StickRecord]) {
        guard !entries.isEmpty, let driver = driverBox.withLock({ $0 }) else { return }
        driver.loop.execute { driver.queueStick(entries) }
    }

    /// Asks the peer for all of its live stick-table entries (it answers with STICK frames, as
    /// on a new connection); for a proxy that restarted while the link stayed up. Dropped while
    /// the link is down: the next connection's resync brings the entries anyway.
    public func requestStickResync() {
        guard let driver = driverBox.withLock({ $0 }) else { return }
        driver.loop.execute { driver.sendStickResyncRequest() }
    }
}

extension PeerLink.Driver {
    func queueStick(_ entries: [StickRecord]) {
        guard case .up(let id) = machine.state, connections[id]?.session.authenticated == true else { return }
        stickQueue.append(contentsOf: entries)
        // A writable channel takes everything now (a resync of a large table included); only
        // what a congested channel leaves waiting is bounded.
        flushStick()
        if stickQueue.count > PeerLink.stickQueueLimit {
            let excess = stickQueue.count - PeerLink.stickQueueLimit
            stickQueue.removeFirst(excess)
            stickDropped += excess
        }
    }

    /// Sends what is queued while the channel takes it; called on new entries and each heartbeat.
    func flushStick() {
        if stickDropped > 0 {
            link.logger.warning("stick-table updates dropped: the peer channel is congested", metadata: ["dropped": "\(stickDropped)"])
            stickDropped = 0
        }
        guard !stickQueue.isEmpty, case .up(let id) = machine.state, let channel = connections[id]?.channel,
              connections[id]?.session.authenticated == true else { return }
        guard channel.isWritable else { return }
        let batch = stickQueue
        stickQueue = []
        for payload in StickBatch.payloads(batch) {
            if let frame = connections[id]?.session.seal(.stick, payload: payload) { write(frame, on: id) }
        }
    }

    func sendStickResyncRequest() {
        guard case .up(let id) = machine.state, connections[id]?.session.authenticated == true,
              let frame = connections[id]?.session.seal(.stick, payload: StickBatch.resyncRequest()) else { return }
        write(frame, on: id)
        link.logger.info("stick tables requested from the peer (resync)")
    }

    func receivedStick(_ payload: [UInt8]) {
        guard let batch = StickBatch.decode(payload) else {
            link.logger.warning("peer stick-table frame not understood", metadata: ["bytes": "\(payload.count)"])
            return
        }
        if !batch.entries.isEmpty { link.onEvent(.stick(batch.entries)) }
        if batch.resync == true { link.onEvent(.stickResyncRequested) }
    }
}
