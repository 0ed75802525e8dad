public import HACore

/// The one-line summary systemd shows as `STATUS=` (`systemctl status hactl`), folded from
/// the bus: `MASTER VI_1; 2/2 servers up` or `BACKUP VI_1; 1/2 servers up; proxy DOWN (connect refused)`.
///
/// A pure value: `apply(_:)` each event, read `line`.
public struct StatusSummary: Sendable, Equatable {
    /// The phase of the process: what comes first on the line while not simply running.
    public enum Phase: Sendable, Equatable {
        case starting
        case running
        case stopping(reason: String)
    }

    public private(set) var phase: Phase = .starting
    /// VRRP state per instance name (`INIT`, `BACKUP`, `MASTER`, `FAULT`).
    public private(set) var instances: [String: String]
    /// Whether each server (backend, server) is up.
    public private(set) var servers: [ServerKey: Bool]
    /// The liveness probe's last verdict; nil before the first one.
    public private(set) var proxy: (up: Bool, reason: String)?

    /// A backend's server, the key HAProxy's stats use (`backend/server`).
    public struct ServerKey: Hashable, Sendable, Comparable {
        public var backend: String
        public var server: String
        public init(backend: String, server: String) {
            self.backend = backend
            self.server = server
        }
        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.backend, lhs.server) < (rhs.backend, rhs.server)
        }
    }

    /// - Parameters:
    ///   - instances: the configured VRRP instances and their initial state.
    ///   - servers: the configured servers; they count as up until a check says otherwise
    ///     (HAProxy starts servers UP and takes them down after `fall` failed checks).
    public init(instances: [String: String] = [:], servers: [ServerKey] = []) {
        self.instances = instances
        self.servers = Dictionary(servers.map { ($0, true) }, uniquingKeysWith: { first, _ in first })
    }

    /// After a reload: instances and servers that remain keep their state, new ones start as
    /// INIT / up, removed ones are forgotten.
    public mutating func reconfigure(instances names: [String], servers keys: [ServerKey]) {
        instances = Dictionary(names.map { ($0, instances[$0] ?? "INIT") }, uniquingKeysWith: { first, _ in first })
        servers = Dictionary(keys.map { ($0, servers[$0] ?? true) }, uniquingKeysWith: { first, _ in first })
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.line == rhs.line
    }

    public mutating func apply(_ event: HAEvent) {
        switch event {
        case .lifecycle(.configurationLoaded), .lifecycle(.stopped):
            break
        case .lifecycle(.ready):
            phase = .running
        case .lifecycle(.stopping(let reason)):
            phase = .stopping(reason: reason)
        case .vrrpTransition(let instance, _, let to, _):
            instances[instance] = to
        case .serverHealth(let backend, let server, let up, _):
            servers[ServerKey(backend: backend, server: server)] = up
        case .proxyHealth(let up, let reason):
            proxy = (up, reason)
        case .vrrpPacketDropped, .vrrpLowerPriorityAdvert, .trackerChanged:
            break
        }
    }

    public var line: String {
        var parts: [String] = []
        switch phase {
        case .starting: parts.append("starting")
        case .running: break
        case .stopping(let reason): parts.append("stopping (\(reason))")
        }
        if !instances.isEmpty {
            parts.append(instances.keys.sorted().map { "\(instances[$0]!) \($0)" }.joined(separator: ", "))
        }
        if !servers.isEmpty {
            let up = servers.values.filter { $0 }.count
            parts.append("\(up)/\(servers.count) servers up")
        }
        if let proxy, !proxy.up {
            parts.append("proxy DOWN (\(proxy.reason))")
        }
        return parts.isEmpty ? "running" : parts.joined(separator: "; ")
    }
}
