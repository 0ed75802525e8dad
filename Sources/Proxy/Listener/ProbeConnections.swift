public import NIOCore
import Synchronization

/// The client ends of the liveness probe's own connections, so the proxy neither logs them
/// (`<BADREQ> CR--` every 200 ms without `dontlognull`) nor counts them as sessions: HAProxy
/// never sees hactl's in-process probe, and an operator comparing counters should not either.
///
/// The probe registers a connection once its connect has completed and before it closes; the
/// proxy looks it up only when a connection closes without having sent a byte, after that
/// close, so the two never race. One instance lives as long as the process, shared by every
/// proxy instance a reload or a restart makes.
public final class ProbeConnections: Sendable {
    private let recent = Mutex<[Key]>([])
    /// Registrations the proxy never claimed (it stopped, or the connection went elsewhere)
    /// are dropped oldest first past this many.
    private static let capacity = 64

    struct Key: Hashable {
        var address: String
        var port: Int
    }

    public init() {}

    /// Called by the probe with its connection's local address, before it closes the connection.
    public func register(_ local: SocketAddress) {
        guard let key = Self.key(local) else { return }
        recent.withLock {
            if $0.count >= Self.capacity { $0.removeFirst() }
            $0.append(key)
        }
    }

    /// Whether a client address is one of the probe's connections; claims it (true once).
    /// Only asked of connections that closed without a byte, never per request.
    package func claim(_ client: SocketAddress) -> Bool {
        guard let key = Self.key(client) else { return false }
        return recent.withLock {
            guard let index = $0.firstIndex(of: key) else { return false }
            $0.remove(at: index)
            return true
        }
    }

    /// An IPv4 client accepted on a dual-stack socket reads as `::ffff:a.b.c.d`.
    private static func key(_ address: SocketAddress) -> Key? {
        guard var ip = address.ipAddress, let port = address.port else { return nil }
        if ip.hasPrefix("::ffff:"), ip.contains(".") { ip.removeFirst(7) }
        return Key(address: ip, port: port)
    }
}
