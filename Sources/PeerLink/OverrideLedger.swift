/// One operator change to a server (`hactl server drain|disable|enable|weight`), as the peer
/// link carries it: what was set, and when, so both nodes keep the same latest one.
public struct SyncedOverride: Sendable, Hashable, Codable {
    public enum Field: String, Sendable, Hashable, Codable {
        /// `value` is "ready", "drain" or "maint".
        case admin
        /// `value` is the weight, 0...256, in decimal.
        case weight
    }

    /// Which setting of which server: the unit of last-writer-wins.
    public struct Key: Sendable, Hashable, Comparable {
        public var backend: String
        public var server: String
        public var field: Field

        public init(backend: String, server: String, field: Field) {
            self.backend = backend
            self.server = server
            self.field = field
        }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.backend, lhs.server, lhs.field.rawValue) < (rhs.backend, rhs.server, rhs.field.rawValue)
        }
    }

    public var backend: String
    public var server: String
    public var field: Field
    public var value: String
    /// Hybrid logical clock, in milliseconds: the wall clock of the change, but always above
    /// every stamp the writing node had seen (see `OverrideLedger`).
    public var stamp: Int64
    /// The node where the operator made the change; breaks ties between equal stamps.
    public var node: String

    public init(backend: String, server: String, field: Field, value: String, stamp: Int64, node: String) {
        self.backend = backend
        self.server = server
        self.field = field
        self.value = value
        self.stamp = stamp
        self.node = node
    }

    public var key: Key { Key(backend: backend, server: server, field: field) }

    /// Last-writer-wins order: the later stamp, then the greater node name.
    public func supersedes(_ other: SyncedOverride) -> Bool {
        (stamp, node) > (other.stamp, other.node)
    }
}

/// The operator's server overrides as both nodes of a pair agree on them: per server and
/// setting, the latest change made on either node (last-writer-wins).
///
/// Why a hybrid logical clock rather than a plain sequence number or a plain timestamp: a
/// sequence number restarts at zero with the process, so a node restarted (or partitioned)
/// would see its operator's fresh change lose to a stale one of the peer; a bare wall-clock
/// timestamp lets a node whose clock lags lose a change made *after* it saw the peer's. The
/// stamp is therefore `max(wall clock, highest stamp seen + 1)`: a change made after seeing
/// another always wins over it (causality, whatever the clocks), and otherwise the later one
/// by wall time wins (what the operator expects). Equal stamps are broken by node name, so
/// both nodes always pick the same entry.
///
/// No ping-pong: a node adopts a remote entry only when it supersedes its own, and then keeps
/// it with the remote stamp, so the next report it sends carries the very same entry and the
/// writer finds nothing newer. Reports repeat every heartbeat; merging one twice changes nothing.
public struct OverrideLedger: Sendable, Hashable {
    public private(set) var entries: [SyncedOverride.Key: SyncedOverride] = [:]
    /// The highest stamp this node has written or seen.
    public private(set) var clock: Int64 = 0

    public init() {}

    /// Records an operator change made on this node; returns the entry to send.
    @discardableResult
    public mutating func recordLocal(
        backend: String, server: String, field: SyncedOverride.Field, value: String, node: String, nowMilliseconds: Int64
    ) -> SyncedOverride {
        clock = max(nowMilliseconds, clock + 1)
        let entry = SyncedOverride(backend: backend, server: server, field: field, value: value, stamp: clock, node: node)
        entries[entry.key] = entry
        return entry
    }

    /// Merges the peer's entries; returns those adopted (newer than this node's own for their
    /// key), which this node must now apply to its proxy, in key order.
    public mutating func merge(_ remote: [SyncedOverride]) -> [SyncedOverride] {
        var adopted: [SyncedOverride.Key: SyncedOverride] = [:]
        for entry in remote {
            clock = max(clock, entry.stamp)
            if let mine = entries[entry.key], !entry.supersedes(mine) { continue }
            entries[entry.key] = entry
            adopted[entry.key] = entry
        }
        return adopted.keys.sorted().map { adopted[$0]! }
    }

    /// What this node reports to its peer, in key order.
    public var report: [SyncedOverride] { entries.keys.sorted().map { entries[$0]! } }
}
