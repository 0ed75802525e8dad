import Glibc
import HACore
import HAConfig
import Logging
import PeerLink
import ServiceLifecycle
import VRRP

/// Builds the peer channel from the `peers` section and wires it: a FIN/RST on the channel
/// reaches the VRRP engine (crash failover), this node's proxy verdict and VRRP states go out
/// as health reports.
enum PeerLinkSetup {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// This node and its peer: `localpeer NAME`, else the peer whose address is one of ours.
    static func settings(for configuration: Configuration, localAddresses: Set<String> = localAddresses()) throws -> PeerLink.Settings? {
        guard let peers = configuration.peers else { return nil }
        guard peers.peers.count == 2 else {
            throw SetupError(description: "peers \(peers.name): hactl runs pairs; \(peers.peers.count) peers are declared")
        }
        let local: PeersConfig.Peer
        if let name = configuration.global.localPeer {
            guard let found = peers.peer(named: name) else { throw SetupError(description: "localpeer \(name) is not in peers \(peers.name)") }
            local = found
        } else {
            let mine = peers.peers.filter { localAddresses.contains($0.address) }
            guard mine.count == 1 else {
                throw SetupError(
                    description: mine.isEmpty
                        ? "peers \(peers.name): no peer has one of this node's addresses; set 'localpeer NAME' in global"
                        : "peers \(peers.name): several peers have this node's addresses; set 'localpeer NAME' in global")
            }
            local = mine[0]
        }
        let remote = peers.peers.first { $0.name != local.name }!
        guard let keyFile = peers.keyFile else { throw SetupError(description: "peers \(peers.name) has no peer-key") }
        let key = try PeerLink.loadKey(path: keyFile)
        return PeerLink.Settings(
            localName: local.name, listenHost: local.address, listenPort: local.port, peerName: remote.name,
            peerHost: remote.address, peerPort: remote.port, key: key)
    }

    /// Every address configured on this host's interfaces (`getifaddrs`).
    static func localAddresses() -> Set<String> {
        var result: Set<String> = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return result }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = address.pointee.sa_family == UInt16(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
            guard [UInt16(AF_INET), UInt16(AF_INET6)].contains(address.pointee.sa_family),
                  getnameinfo(address, socklen_t(length), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
            else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            result.insert(String(text.split(separator: "%").first ?? Substring(text)))
        }
        return result
    }

    /// The link, with its events going to the VRRP engine, the override sync and the log.
    static func makeLink(settings: PeerLink.Settings, vrrp: VRRPEngine?, overrideSync: OverrideSync? = nil,
                         stickSync: StickTableSync? = nil, logger: Logger) -> PeerLink {
        PeerLink(settings: settings, logger: logger) { event in
            switch event {
            case .lost(_, .closedByPeer, let lastHealth):
                vrrp?.peerLinkChanged(up: false)
                vrrp?.peerLinkClosed(peerMasterInstances: lastHealth?.masterInstances ?? [])
            case .health(let health):
                overrideSync?.received(health.overrides ?? [])
            case .stick(let entries):
                stickSync?.received(entries)
            case .stickResyncRequested:
                stickSync?.teachPeer(reason: "the peer's proxy restarted")
            case .up:
                vrrp?.peerLinkChanged(up: true)
                stickSync?.teachPeer(reason: "link up")
            case .lost:
                vrrp?.peerLinkChanged(up: false)
            case .refused:
                break  // logged by the link; shown by `hactl status`
            }
        }
    }
}

/// Keeps what the link reports about this node current: the proxy verdict and every VRRP
/// instance's state and priority, refreshed on each event that can change them.
struct PeerHealthReporter: Service {
    let link: PeerLink
    let vrrp: VRRPEngine?
    let bus: EventBus

    func run() async throws {
        let stream = await bus.subscribe()
        await refresh()
        for await event in stream.cancelOnGracefulShutdown() {
                switch event {
                case .proxyHealth(let up, let reason):
                    link.updateLocalHealth { $0.proxyUp = up; $0.proxyReason = reason }
                    await refresh()
                case .vrrpTransition, .trackerChanged:
                    await refresh()
                default:
                    break
                }
        }
    }

    func refresh() async {
        guard let vrrp else { return }
        let instances = await vrrp.status().map { PeerHealth.Instance(name: $0.name, state: $0.state, priority: $0.priority) }
        link.updateLocalHealth { $0.instances = instances }
    }
}
