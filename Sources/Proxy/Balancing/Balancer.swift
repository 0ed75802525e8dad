/// Picks a server of one backend for HAProxy's `balance` algorithms.
///
/// Pure: it reads server states through `ServerStates`, a round-robin position and a hash key
/// handed in by the caller, and returns an index. Backup servers are used only when no
/// active server is up (HAProxy `backup`; the first usable backup, as without `allbackups`).
package struct Balancer: Sendable {
    package let algorithm: BalanceAlgorithm
    /// `hash-type ... FUNCTION [avalanche]`: how `source`, `uri`, `url_param` and `hdr` keys are hashed.
    package let hasher: KeyHasher
    /// Smooth weighted round-robin order of server indices (nginx-style interleaving).
    let schedule: [Int]
    /// `hash-type consistent`, and always for `random` (HAProxy draws on the consistent ring).
    let ring: ConsistentHashRing?
    /// `hash-balance-factor`: on the ring, a server may hold at most this percentage of the
    /// average load (weighted); 0 = unbounded.
    let balanceFactor: Int

    package init(algorithm: BalanceAlgorithm, weights: [Int], names: [String], consistent: Bool,
                 hasher: KeyHasher? = nil, balanceFactor: Int = 0) {
        self.algorithm = algorithm
        self.hasher = hasher ?? KeyHasher(consistent: consistent)
        self.schedule = Self.makeSchedule(weights: weights)
        var usesRing = consistent
        if case .random = algorithm { usesRing = true }
        self.ring = usesRing ? ConsistentHashRing(names: names, weights: weights) : nil
        self.balanceFactor = balanceFactor
    }

    /// As `pick(_:position:key:random:)`, drawing from the system generator (only `random` draws).
    package func pick<S: ServerStates>(_ servers: S, position: Int, key: BalanceKey) -> Int? {
        var generator = SystemRandomNumberGenerator()
        return pick(servers, position: position, key: key, random: &generator)
    }

    /// - Parameters:
    ///   - position: a counter the caller increments per pick (shared by loops for global alternation).
    ///   - key: the hash for `source`, `uri`, `url_param`, `hdr`; `.none` falls back to round robin.
    ///   - random: where `random` draws its keys.
    /// - Returns: the server index, or nil when no server can take the request now.
    package func pick<S: ServerStates, R: RandomNumberGenerator>(_ servers: S, position: Int, key: BalanceKey, random: inout R) -> Int? {
        // A drained or maintained server counts as having no weight: backups take over when
        // no active server is left to the algorithm.
        func pickable(_ i: Int) -> Bool {
            servers.isUp(i) && servers.weight(i) > 0 && servers.adminState(i) == .ready
        }
        let useBackup = !(0..<servers.serverCount).contains { !servers.isBackup($0) && pickable($0) }
        func usable(_ i: Int) -> Bool {
            servers.isBackup(i) == useBackup && pickable(i)
        }
        if useBackup {
            // HAProxy: only the first backup server takes traffic.
            for i in 0..<servers.serverCount where usable(i) && servers.hasFreeSlot(i) { return i }
            return nil
        }
        switch algorithm {
        case .roundRobin, .staticRoundRobin:
            return roundRobin(servers, position: position, usable: usable)
        case .leastConnections:
            var best: Int?
            var bestScore = Double.infinity
            let count = servers.serverCount
            for k in 0..<count {
                let i = (position + k) % count
                guard usable(i), servers.hasFreeSlot(i) else { continue }
                let rampedWeight = Double(servers.weight(i)) * Double(max(servers.rampPercent(i), 1)) / 100
                let score = Double(servers.activeConnections(i)) / rampedWeight
                if score < bestScore {
                    bestScore = score
                    best = i
                }
            }
            return best
        case .first:
            for i in 0..<servers.serverCount where usable(i) && servers.hasFreeSlot(i) { return i }
            return nil
        case .source, .uri, .urlParameter, .header:
            guard case .hash(let hash) = key else { return roundRobin(servers, position: position, usable: usable) }
            let chosen: Int?
            if let ring {
                let bound = LoadBound(servers, factor: balanceFactor, usable: usable)
                chosen = ring.lookup(hash: hash) { usable($0) && bound.admits($0, servers) }
            } else {
                chosen = mapBased(servers, hash: hash, usable: usable)
            }
            guard let chosen else { return nil }
            return servers.hasFreeSlot(chosen) ? chosen : nil
        case .random(let draws):
            guard let ring else { return nil }
            let bound = LoadBound(servers, factor: balanceFactor, usable: usable)
            var best: Int?
            for _ in 0..<max(draws, 1) {
                guard let drawn = ring.lookup(hash: random.next(), usable: { usable($0) && servers.hasFreeSlot($0) && bound.admits($0, servers) }) else {
                    return best
                }
                // The less loaded relative to its weight (cross-multiplied: no division).
                if let current = best,
                    servers.activeConnections(drawn) * servers.weight(current) >= servers.activeConnections(current) * servers.weight(drawn) {
                    continue
                }
                best = drawn
            }
            return best
        }
    }

    /// `hash-balance-factor`: bounded loads on the ring (Mirrokni, Thorup, Zadimoghaddam,
    /// "Consistent Hashing with Bounded Loads", 2018). With `m` connections on the usable servers,
    /// server `i` of weight `w` admits another while it holds fewer than
    /// ⌈factor/100 × (m + 1) × w / W⌉, `W` the usable servers' total weight.
    struct LoadBound {
        let factor: Int
        let load: Int
        let totalWeight: Int

        init<S: ServerStates>(_ servers: S, factor: Int, usable: (Int) -> Bool) {
            self.factor = factor
            var load = 0, weight = 0
            if factor > 0 {
                for i in 0..<servers.serverCount where usable(i) {
                    load += servers.activeConnections(i)
                    weight += servers.weight(i)
                }
            }
            self.load = load
            self.totalWeight = weight
        }

        func admits<S: ServerStates>(_ server: Int, _ servers: S) -> Bool {
            guard factor > 0, totalWeight > 0 else { return true }
            let scaled = factor * (load + 1) * servers.weight(server)
            let capacity = (scaled + 100 * totalWeight - 1) / (100 * totalWeight)
            return servers.activeConnections(server) < capacity
        }
    }

    /// Whether a request that persistence (a sticky cookie, a retry) designates to `server` may
    /// go there: it must be UP with a free slot and not in `maint`. A `drain` server still takes
    /// its persisted clients, and so does a server at weight 0 (HAProxy's drain by weight).
    package static func honoursPersistence<S: ServerStates>(_ servers: S, server: Int) -> Bool {
        servers.isUp(server) && servers.adminState(server) != .maint && servers.hasFreeSlot(server)
    }

    private func roundRobin<S: ServerStates>(_ servers: S, position: Int, usable: (Int) -> Bool) -> Int? {
        guard !schedule.isEmpty else { return nil }
        let start = position % schedule.count
        var fallback: Int?
        for k in 0..<schedule.count {
            let i = schedule[(start + k) % schedule.count]
            guard usable(i) && servers.hasFreeSlot(i) else { continue }
            // slowstart: a ramping server takes only its current share of its turns.
            let ramp = servers.rampPercent(i)
            if ramp < 100 && (position &* 37) % 100 >= ramp {
                if fallback == nil { fallback = i }
                continue
            }
            return i
        }
        return fallback
    }

    /// HAProxy's map-based hashing: hash modulo the total weight of the usable servers.
    private func mapBased<S: ServerStates>(_ servers: S, hash: UInt64, usable: (Int) -> Bool) -> Int? {
        var total = 0
        for i in 0..<servers.serverCount where usable(i) { total += servers.weight(i) }
        guard total > 0 else { return nil }
        var slot = Int(hash % UInt64(total))
        for i in 0..<servers.serverCount where usable(i) {
            slot -= servers.weight(i)
            if slot < 0 { return i }
        }
        return nil
    }

    /// Interleaves servers by weight: weights 3,1 give 0,0,1,0 rather than 0,0,0,1.
    static func makeSchedule(weights: [Int]) -> [Int] {
        let total = weights.reduce(0) { $0 + max($1, 0) }
        guard total > 0 else { return Array(weights.indices) }
        var current = [Int](repeating: 0, count: weights.count)
        var order: [Int] = []
        order.reserveCapacity(total)
        for _ in 0..<total {
            var best = 0
            for i in weights.indices {
                current[i] += max(weights[i], 0)
                if current[i] > current[best] { best = i }
            }
            current[best] -= total
            order.append(best)
        }
        return order
    }
}

/// 64-bit FNV-1a with a final mix: places the consistent ring's points (not request keys).
package enum BalanceHash {
    package static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return avalanche(h)
    }

    static func avalanche(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x = x &* 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}

/// HAProxy `hash-type METHOD FUNCTION [avalanche]`: the 32-bit hash of a request key
/// (`source`, `uri`, `url_param`, `hdr`). Chosen at configuration time; per request it is one
/// switch and a loop over the key's bytes.
package struct KeyHasher: Sendable, Hashable {
    /// The hash functions of the configuration manual (`hash-type`).
    package enum Function: Sendable, Hashable {
        /// sdbm's: h = c + (h << 6) + (h << 16) - h.
        case sdbm
        /// Bernstein's: h = h × 33 + c, from 5381.
        case djb2
        /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as in gzip and PNG.
        case crc32
    }

    package var function: Function
    /// `avalanche`: Bob Jenkins' 4-byte integer hash applied to the function's result.
    package var avalanche: Bool

    package init(function: Function, avalanche: Bool) {
        self.function = function
        self.avalanche = avalanche
    }

    /// HAProxy's defaults when `hash-type` names no function: sdbm, with avalanche for `consistent`.
    package init(consistent: Bool) {
        self.init(function: .sdbm, avalanche: consistent)
    }

    package func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt32
        switch function {
        case .sdbm:
            h = 0
            for c in bytes { h = UInt32(c) &+ (h << 6) &+ (h << 16) &- h }
        case .djb2:
            h = 5381
            for c in bytes { h = (h << 5) &+ h &+ UInt32(c) }
        case .crc32:
            h = 0xFFFF_FFFF
            for c in bytes { h = (h >> 8) ^ Self.crcTable[Int((h ^ UInt32(c)) & 0xFF)] }
            h = ~h
        }
        return UInt64(avalanche ? Self.fullAvalanche(h) : h)
    }

    /// Bob Jenkins' "full avalanche" 32-bit integer hash (public domain): every input bit affects
    /// every output bit.
    static func fullAvalanche(_ value: UInt32) -> UInt32 {
        var a = value
        a = (a &+ 0x7ed5_5d16) &+ (a << 12)
        a = (a ^ 0xc761_c23c) ^ (a >> 19)
        a = (a &+ 0x1656_67b1) &+ (a << 5)
        a = (a &+ 0xd3a2_646c) ^ (a << 9)
        a = (a &+ 0xfd70_46c5) &+ (a << 3)
        a = (a ^ 0xb55a_4f09) ^ (a >> 16)
        return a
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
