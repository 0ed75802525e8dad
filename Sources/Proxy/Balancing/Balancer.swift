/// Picks a server of one backend for HAProxy's `balance` algorithms.
///
/// Pure: it reads server states through `ServerStates`, a round-robin position and a hash key
/// handed in by the caller, and returns an index. Backup servers are used only when no
/// active server is up (HAProxy `backup`; the first usable backup, as without `allbackups`).
package struct Balancer: Sendable {
    package let algorithm: BalanceAlgorithm
    /// Smooth weighted round-robin order of server indices (nginx-style interleaving).
    let schedule: [Int]
    let ring: ConsistentHashRing?

    package init(algorithm: BalanceAlgorithm, weights: [Int], names: [String], consistent: Bool) {
        self.algorithm = algorithm
        self.schedule = Self.makeSchedule(weights: weights)
        self.ring = consistent ? ConsistentHashRing(names: names, weights: weights) : nil
    }

    /// - Parameters:
    ///   - position: a counter the caller increments per pick (shared by loops for global alternation).
    ///   - key: the hash for `source`, `uri`, `url_param`, `hdr`; `.none` falls back to round robin.
    ///   - random: two random numbers for `random`.
    /// - Returns: the server index, or nil when no server can take the request now.
    package func pick<S: ServerStates>(_ servers: S, position: Int, key: BalanceKey, random: (UInt64, UInt64) = (0, 0)) -> Int? {
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
                chosen = ring.lookup(hash: hash, usable: usable)
            } else {
                chosen = mapBased(servers, hash: hash, usable: usable)
            }
            guard let chosen else { return nil }
            return servers.hasFreeSlot(chosen) ? chosen : nil
        case .random:
            let candidates = (0..<servers.serverCount).filter { usable($0) && servers.hasFreeSlot($0) }
            guard !candidates.isEmpty else { return nil }
            let a = candidates[Int(random.0 % UInt64(candidates.count))]
            let b = candidates[Int(random.1 % UInt64(candidates.count))]
            return servers.activeConnections(b) < servers.activeConnections(a) ? b : a
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

/// 64-bit FNV-1a with a final avalanche, the hash behind `source`, `uri`, `url_param` and `hdr`.
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
