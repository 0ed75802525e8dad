import HACore
import Logging
import PeerLink
import Proxy
import Synchronization

/// State sync of the operator's server overrides over the peer link: a drain, disable, enable
/// or weight set on this node (`ApplianceControl`) goes to the peer in the health report, and
/// the peer's changes are applied here as operator overrides too, so they survive a failover.
/// The merge rule is `OverrideLedger`'s last-writer-wins.
final class OverrideSync: Sendable {
    let node: String
    let proxy: SupervisedProxy?
    let logger: Logger
    let ledger = Mutex(OverrideLedger())
    let linkBox = Mutex<PeerLink?>(nil)

    init(node: String, proxy: SupervisedProxy?, logger: Logger) {
        self.node = node
        self.proxy = proxy
        self.logger = logger
    }

    func attach(_ link: PeerLink) {
        linkBox.withLock { $0 = link }
        publish()
    }

    /// An operator change this node's proxy accepted.
    func recordLocal(backend: String, server: String, field: SyncedOverride.Field, value: String) {
        ledger.withLock {
            _ = $0.recordLocal(backend: backend, server: server, field: field, value: value, node: node,
                               nowMilliseconds: WallClock.unixMilliseconds())
        }
        publish()
    }

    /// The peer's report: adopts its newer entries and applies them to the proxy.
    func received(_ remote: [SyncedOverride]) {
        let adopted = ledger.withLock { $0.merge(remote) }
        guard !adopted.isEmpty else { return }
        publish()
        Task { await self.apply(adopted) }
    }

    func publish() {
        guard let link = linkBox.withLock({ $0 }) else { return }
        let report = ledger.withLock { $0.report }
        link.updateLocalHealth { $0.overrides = report }
    }

    /// Applies adopted entries, skipping those the proxy already runs. The value applied is the
    /// ledger's latest for the key, so a late task never puts back an older one.
    func apply(_ adopted: [SyncedOverride]) async {
        guard let host = proxy?.host else {
            logger.warning("peer overrides not applied: the proxy is not running", metadata: ["count": "\(adopted.count)"])
            return
        }
        for entry in adopted {
            guard let latest = ledger.withLock({ $0.entries[entry.key] }) else { continue }
            let current = host.operatorOverrides()
            let key = ProxyOverrides.ServerKey(backend: latest.backend, server: latest.server)
            do {
                switch latest.field {
                case .admin:
                    guard let state = ServerAdminState(rawValue: latest.value) else { continue }
                    if current.serverAdmin[key] == state { continue }
                    try await host.setServerAdmin(backend: latest.backend, server: latest.server, state)
                case .weight:
                    guard let weight = Int(latest.value) else { continue }
                    if current.serverWeights[key] == weight { continue }
                    try await host.setServerWeight(backend: latest.backend, server: latest.server, weight: weight)
                }
                logger.notice("operator override from the peer applied",
                              metadata: ["server": "\(key)", "\(latest.field.rawValue)": "\(latest.value)", "by": "\(latest.node)"])
            } catch {
                logger.warning("operator override from the peer not applied",
                               metadata: ["server": "\(key)", "\(latest.field.rawValue)": "\(latest.value)", "error": "\(error)"])
            }
        }
    }
}
