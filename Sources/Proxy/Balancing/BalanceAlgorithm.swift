/// HAProxy `balance` algorithms.
package enum BalanceAlgorithm: Sendable, Hashable {
    /// `roundrobin`: weighted, in turn (dynamic weights in HAProxy; here weights from the plan).
    case roundRobin
    /// `static-rr`: weighted, in turn.
    case staticRoundRobin
    /// `leastconn`: fewest active connections relative to weight.
    case leastConnections
    /// `first`: the first server with a free slot (by declaration order).
    case first
    /// `source`: hash of the client address.
    case source
    /// `uri`: hash of the path (without query string).
    case uri
    /// `url_param NAME`: hash of the query parameter; round robin without it.
    case urlParameter(String)
    /// `hdr(NAME)`: hash of the header value; round robin without it.
    case header(String)
    /// `random`: power of two random choices (`random(2)`).
    case random
}

/// What a balancer needs to know of a backend's servers at the moment of a pick.
package protocol ServerStates {
    var serverCount: Int { get }
    /// Not DOWN, not disabled.
    func isUp(_ server: Int) -> Bool
    func isBackup(_ server: Int) -> Bool
    func weight(_ server: Int) -> Int
    /// Whether the server is below its `maxconn`.
    func hasFreeSlot(_ server: Int) -> Bool
    func activeConnections(_ server: Int) -> Int
    /// `slowstart`: the share (0–100 %) of its weight a server that just came back may take.
    func rampPercent(_ server: Int) -> Int
    /// The operator's `ready` / `drain` / `maint`: only `ready` servers are picked by the algorithm.
    func adminState(_ server: Int) -> ServerAdminState
}

extension ServerStates {
    package func rampPercent(_ server: Int) -> Int { 100 }
    package func adminState(_ server: Int) -> ServerAdminState { .ready }
}

/// The per-request inputs of a hash-based pick.
package enum BalanceKey: Sendable {
    case none
    case hash(UInt64)
}
