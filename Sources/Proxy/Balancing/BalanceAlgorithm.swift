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
    /// `uri [whole] [len N] [depth N] [path-only]`: hash of the request target, by default up to `?`.
    case uri(URIHashKey)
    /// `url_param NAME`: hash of the query parameter; round robin without it.
    case urlParameter(String)
    /// `hdr(NAME)`: hash of the header value; round robin without it.
    case header(String)
    /// `random(N)`: the least loaded of N weighted random draws on the consistent ring
    /// (HAProxy's default N is 2: "power of two random choices").
    case random(draws: Int)

    /// Whether the algorithm hashes a key taken from the request.
    var hashesKey: Bool {
        switch self {
        case .source, .uri, .urlParameter, .header: true
        default: false
        }
    }
}

/// HAProxy `balance uri` options: which part of the request target is hashed.
package struct URIHashKey: Sendable, Hashable {
    /// `whole`: include the query string.
    package var whole: Bool
    /// `len N`: at most N characters.
    package var length: Int?
    /// `depth N`: at most N directory levels; a level ends at each `/`.
    package var depth: Int?
    /// `path-only`: start at the path, skipping `scheme://authority`.
    package var pathOnly: Bool

    package init(whole: Bool = false, length: Int? = nil, depth: Int? = nil, pathOnly: Bool = false) {
        self.whole = whole
        self.length = length
        self.depth = depth
        self.pathOnly = pathOnly
    }

    /// The part of `target` that is hashed.
    package func key(of target: Substring) -> Substring {
        var start = target.startIndex
        if pathOnly, !target.hasPrefix("/"), let scheme = target.firstRange(of: "://") {
            start = target[scheme.upperBound...].firstIndex(of: "/") ?? target.endIndex
        }
        var end = start
        var characters = 0
        var slashes = 0
        while end < target.endIndex {
            let byte = target.utf8[end]
            if byte == UInt8(ascii: "?") && !whole { break }
            if let length, characters == length { break }
            if byte == UInt8(ascii: "/"), let depth {
                if slashes == depth { break }
                slashes += 1
            }
            characters += 1
            end = target.utf8.index(after: end)
        }
        return target[start..<end]
    }
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
