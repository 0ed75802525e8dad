public import HACore

/// HAProxy `stick-table type ip|ipv6|integer|string [len N] size N [expire T] [nopurge] [peers NAME]`
/// in a backend (configuration manual §4.2 "stick-table"): a table of keys (a client address, a
/// cookie value...) each pointing to the server that took it, for `stick on|match|store-request`.
/// hactl keeps only the server; other data types (`store gpc0,conn_rate(...)`) are refused.
public struct StickTable: Sendable, Hashable {
    /// `type`: how a sample becomes a key.
    public enum KeyType: String, Sendable, Hashable, CaseIterable {
        /// IPv4 addresses (an IPv6 sample matches only when IPv4-mapped).
        case ip
        /// IPv6 addresses (an IPv4 sample is stored IPv4-mapped).
        case ipv6
        /// Signed 64-bit integers.
        case integer
        /// Text, cut at `len` bytes.
        case string
    }

    /// The name it is known by: the section's (HAProxy names a table after its proxy).
    public var name: String
    public var type: KeyType
    /// `len`: the longest string key, in bytes (HAProxy default 32); nil for other types.
    public var length: Int?
    /// `size`: the most entries held; the oldest are purged to make room (unless `nopurge`).
    public var size: Int
    /// `expire`: an entry not created, refreshed or matched for this long goes; nil: never.
    public var expire: Duration?
    /// `nopurge`: when full, a new key is not stored (instead of purging the oldest).
    public var nopurge: Bool
    /// `peers NAME`: entries are pushed to the peer of that `peers` section and learnt from it.
    public var peers: String?
    public var location: SourceLocation

    public init(name: String, type: KeyType, length: Int? = nil, size: Int, expire: Duration? = nil, nopurge: Bool = false,
                peers: String? = nil, location: SourceLocation = .builtIn) {
        self.name = name
        self.type = type
        self.length = length
        self.size = size
        self.expire = expire
        self.nopurge = nopurge
        self.peers = peers
        self.location = location
    }

    /// HAProxy's default `len` for string keys.
    public static let defaultStringLength = 32

    /// Same keys, size, expiry and peers: entries of one carry over to the other on a reload.
    public func sameDefinition(as other: StickTable) -> Bool {
        name == other.name && type == other.type && length == other.length && size == other.size && expire == other.expire
            && nopurge == other.nopurge && peers == other.peers
    }

    public static func == (a: StickTable, b: StickTable) -> Bool { a.sameDefinition(as: b) }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
        hasher.combine(size)
    }
}

/// HAProxy `stick on|match|store-request PATTERN [table NAME] [if|unless COND]` (§4.2): look the
/// request's key up to send it to the server it stuck to, and/or store the server it went to.
public struct StickRule: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// `stick on`: `match` then `store-request` with the same pattern.
        case on
        case match
        case storeRequest = "store-request"

        public var matches: Bool { self != .storeRequest }
        public var stores: Bool { self != .match }
    }

    public var kind: Kind
    public var pattern: SampleExpression
    /// `table NAME`: another section's table; nil: this backend's own.
    public var table: String?
    public var condition: Condition?
    public var location: SourceLocation

    public init(kind: Kind, pattern: SampleExpression, table: String? = nil, condition: Condition? = nil, location: SourceLocation = .builtIn) {
        self.kind = kind
        self.pattern = pattern
        self.table = table
        self.condition = condition
        self.location = location
    }

    public static func == (a: StickRule, b: StickRule) -> Bool {
        a.kind == b.kind && a.pattern == b.pattern && a.table == b.table && a.condition == b.condition
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(pattern)
        hasher.combine(table)
    }
}
