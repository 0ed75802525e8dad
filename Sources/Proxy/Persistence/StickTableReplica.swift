import NIOCore

/// One event loop's copy of one stick table (HAProxy §4.2 `stick-table`): key → server, with
/// `expire` and the `size` bound. A pure value: the caller passes the time (epoch milliseconds).
///
/// Why a copy per loop: a lookup then takes no lock and no hop, as the data path requires. A
/// store is applied to the storing loop's copy at once and handed (batched, `LoopContext+Stick`)
/// to the other loops and to the peer link; every copy converges because merges are
/// last-writer-wins on `(stamp, server)`, so the order in which updates arrive does not matter.
/// The cost is memory (one copy per loop) and a window of a few microseconds where another
/// loop has not yet seen a fresh entry (a new client's second connection landing on another
/// loop in that window is balanced afresh, and the later store wins on every copy).
///
/// Entries are kept in least-recently-touched order (a ring of `(key, serial)` records, stale
/// records skipped lazily): the front is the oldest, which is what expires first and what is
/// purged to make room when the table is full (unless `nopurge`).
struct StickTableReplica {
    struct Entry: Equatable {
        var server: String
        var stamp: Int64
        /// Epoch milliseconds; nil: never.
        var expiresAt: Int64?
        var serial: UInt64
    }

    let plan: StickTablePlan
    private(set) var entries: [StickKey: Entry] = [:]
    private var order = CircularBuffer<(key: StickKey, serial: UInt64)>()
    private var serial: UInt64 = 0

    init(plan: StickTablePlan) {
        self.plan = plan
    }

    var count: Int { entries.count }

    /// The live entry for `key`; an expired one is removed. A match refreshes the entry's expiry
    /// on this copy (HAProxy: expire counts from the last creation, refresh or match).
    mutating func match(_ key: StickKey, now: Int64) -> Entry? {
        guard var entry = entries[key] else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= now {
            entries[key] = nil
            return nil
        }
        if let expire = plan.expireMilliseconds {
            entry.expiresAt = now + expire
            entry.serial = nextSerial()
            entries[key] = entry
            order.append((key, entry.serial))
            compactIfNeeded()
        }
        return entry
    }

    /// Whether a match of `entry` should be written again (and so reach the other copies): once
    /// half its life went since it was last written. Without it, an entry used only on one loop
    /// would expire on the others while its client is still active.
    func needsRefresh(_ entry: Entry, now: Int64) -> Bool {
        guard let expire = plan.expireMilliseconds else { return false }
        return now - entry.stamp >= expire / 2
    }

    /// A store made on this node: returns the entry written, or nil when the table is full and
    /// `nopurge` forbids making room.
    mutating func store(_ key: StickKey, server: String, now: Int64) -> Entry? {
        let previous = entries[key]
        var stamp = now
        if let previous { stamp = max(now, previous.stamp + 1) }
        let entry = Entry(server: server, stamp: stamp, expiresAt: plan.expireMilliseconds.map { now + $0 }, serial: 0)
        return put(key, entry, now: now) ? entries[key] : nil
    }

    /// An entry written elsewhere (another loop, the peer, the previous instance): kept when it
    /// is newer than this copy's (last-writer-wins on stamp, then server name) and still alive.
    @discardableResult
    mutating func merge(_ key: StickKey, server: String, stamp: Int64, expiresAt: Int64?, now: Int64) -> Bool {
        if let expiresAt, expiresAt <= now { return false }
        if let mine = entries[key], (mine.stamp, mine.server) >= (stamp, server) { return false }
        return put(key, Entry(server: server, stamp: stamp, expiresAt: expiresAt, serial: 0), now: now)
    }

    /// Removes expired entries from the oldest end (the loop's timer calls it every second).
    mutating func purgeExpired(now: Int64) {
        while let front = order.first {
            guard let entry = entries[front.key], entry.serial == front.serial else {
                order.removeFirst()
                continue
            }
            guard let expiresAt = entry.expiresAt, expiresAt <= now else { return }
            entries[front.key] = nil
            order.removeFirst()
        }
    }

    /// `clear table NAME`.
    mutating func removeAll() {
        entries.removeAll()
        order.removeAll()
    }

    /// `clear table NAME key K`.
    mutating func remove(_ key: StickKey) {
        entries[key] = nil
    }

    /// The live entries, oldest first.
    func live(now: Int64) -> [(key: StickKey, entry: Entry)] {
        var result: [(key: StickKey, entry: Entry)] = []
        for record in order {
            guard let entry = entries[record.key], entry.serial == record.serial else { continue }
            if let expiresAt = entry.expiresAt, expiresAt <= now { continue }
            result.append((record.key, entry))
        }
        return result
    }

    private mutating func put(_ key: StickKey, _ new: Entry, now: Int64) -> Bool {
        if entries[key] == nil, entries.count >= plan.size {
            purgeExpired(now: now)
            if entries.count >= plan.size {
                if plan.nopurge { return false }
                evictOldest()
            }
        }
        var entry = new
        entry.serial = nextSerial()
        entries[key] = entry
        order.append((key, entry.serial))
        compactIfNeeded()
        return true
    }

    private mutating func evictOldest() {
        while let front = order.popFirst() {
            if let entry = entries[front.key], entry.serial == front.serial {
                entries[front.key] = nil
                return
            }
        }
    }

    private mutating func nextSerial() -> UInt64 {
        serial += 1
        return serial
    }

    /// Drops stale order records once they outnumber the live ones.
    private mutating func compactIfNeeded() {
        guard order.count > 2 * entries.count + 64 else { return }
        var fresh = CircularBuffer<(key: StickKey, serial: UInt64)>(initialCapacity: entries.count)
        for record in order where entries[record.key]?.serial == record.serial { fresh.append(record) }
        order = fresh
    }
}
