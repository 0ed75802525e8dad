public import HACore
package import HAConfig

/// A `stick-table` as the data path uses it (see `HAConfig.StickTable`): expiry in milliseconds.
package struct StickTablePlan: Sendable, Hashable {
    package typealias KeyType = HAConfig.StickTable.KeyType

    package var name: String
    package var type: KeyType
    /// `len` of string keys, in bytes.
    package var length: Int?
    package var size: Int
    /// `expire`, in milliseconds; nil: entries never expire (only purged to make room).
    package var expireMilliseconds: Int64?
    package var nopurge: Bool
    /// `peers NAME`: entries are pushed to the peer and learnt from it.
    package var peers: String?

    package init(name: String, type: KeyType, length: Int? = nil, size: Int, expireMilliseconds: Int64? = nil,
                 nopurge: Bool = false, peers: String? = nil) {
        self.name = name
        self.type = type
        self.length = length
        self.size = size
        self.expireMilliseconds = expireMilliseconds
        self.nopurge = nopurge
        self.peers = peers
    }

    package init(_ table: HAConfig.StickTable) {
        let expire = table.expire.map { duration -> Int64 in
            let (seconds, attoseconds) = duration.components
            return seconds * 1000 + attoseconds / 1_000_000_000_000_000
        }
        self.init(name: table.name, type: table.type, length: table.length, size: table.size, expireMilliseconds: expire,
                  nopurge: table.nopurge, peers: table.peers)
    }
}

/// A `stick on|match|store-request` rule with its table resolved to an index of `ProxyPlan.stickTables`.
package struct StickRulePlan: Sendable {
    package var matches: Bool
    package var stores: Bool
    package var pattern: SampleExpression
    package var table: Int
    package var condition: Condition

    package init(matches: Bool, stores: Bool, pattern: SampleExpression, table: Int, condition: Condition = .always) {
        self.matches = matches
        self.stores = stores
        self.pattern = pattern
        self.table = table
        self.condition = condition
    }
}

/// Receives the stores of tables with `peers`, in batches, on a proxy event loop: it must not block.
public typealias StickSink = @Sendable ([StickRecord]) -> Void
