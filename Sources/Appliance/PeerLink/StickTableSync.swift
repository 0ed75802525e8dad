import HACore
import Logging
import PeerLink
import Proxy
import Synchronization

/// Where the proxy's stick-table stores go: the peer link once it exists (the proxy is built
/// first, and remade on restart and reload; every instance sends through this one slot). Called
/// on proxy event loops once per batch of stores, never per request; it only hands the batch to
/// the link's own loop.
final class StickSinkSlot: Sendable {
    private let link = Mutex<PeerLink?>(nil)

    func attach(_ peerLink: PeerLink) {
        link.withLock { $0 = peerLink }
    }

    func send(_ records: [StickRecord]) {
        guard let peerLink = link.withLock({ $0 }) else { return }
        peerLink.sendStickEntries(records)
    }

    /// The supervisor restarted the proxy: its tables start empty and the link, still up, will
    /// not resync by itself, so the peer is asked for its entries (HAProxy's restarted process
    /// gets them from its peers when it reconnects).
    func proxyRestarted() {
        link.withLock { $0 }?.requestStickResync()
    }
}

/// State sync of stick tables over the peer link (HAProxy's peers do it for stick tables):
/// each store into a table with `peers` goes to the peer as it happens (`StickSinkSlot`); the
/// peer's entries are merged into every loop's copy (last-writer-wins); and each time the link
/// comes up, each side sends all its live entries (HAProxy's "teach" on connect), so a node that
/// restarted, or was cut off, catches up. No table definition crosses the channel.
final class StickTableSync: Sendable {
    let proxy: SupervisedProxy
    let logger: Logger
    let linkBox = Mutex<PeerLink?>(nil)

    init(proxy: SupervisedProxy, logger: Logger) {
        self.proxy = proxy
        self.logger = logger
    }

    func attach(_ link: PeerLink) {
        linkBox.withLock { $0 = link }
        proxy.stickSlot.attach(link)
    }

    /// The peer's entries.
    func received(_ entries: [StickRecord]) {
        guard let host = proxy.host else { return }
        Task { await host.mergeStickRecords(entries) }
    }

    /// Teaches the peer every live entry of the tables it shares: when the link comes up, and
    /// when the peer asks (its proxy restarted).
    func teachPeer(reason: String) {
        guard let host = proxy.host, let link = linkBox.withLock({ $0 }) else { return }
        Task {
            let entries = await host.stickTables().filter { $0.peers != nil }.flatMap(\.entries)
            guard !entries.isEmpty else { return }
            link.sendStickEntries(entries)
            self.logger.info("stick tables sent to the peer (resync)", metadata: ["entries": "\(entries.count)", "reason": "\(reason)"])
        }
    }
}
