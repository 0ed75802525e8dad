import HACore
import NIOCore

/// A store made on one loop, on its way to the other loops' copies of the table.
struct StickUpdate: Sendable {
    var table: Int
    var key: StickKey
    var server: String
    var stamp: Int64
    var expiresAt: Int64?
}

/// The entry a request's `stick match` found, kept to decide whether the chosen server needs a store.
struct StickMatch {
    var table: Int
    var key: StickKey
    var server: String
    var refresh: Bool
}

/// The loop's stick tables: lookups and stores on its own copies, the batched propagation of its
/// stores to the other loops (`execute`, once per batch) and to the peer link (the runtime's sink).
extension LoopContext {
    static func seededStickTables(_ runtime: ProxyRuntime) -> [StickTableReplica] {
        let now = WallClock.milliseconds()
        return runtime.plan.stickTables.enumerated().map { index, plan in
            var replica = StickTableReplica(plan: plan)
            for record in runtime.initialStickRecords[index] {
                guard let key = StickKey(text: record.key, type: plan.type, length: plan.length) else { continue }
                replica.merge(key, server: record.server, stamp: record.stamp, expiresAt: record.expiresIn.map { now + $0 }, now: now)
            }
            return replica
        }
    }

    func stickMatch(table: Int, key: StickKey, now: Int64) -> StickMatch? {
        guard let entry = stickTables[table].match(key, now: now) else { return nil }
        return StickMatch(table: table, key: key, server: entry.server, refresh: stickTables[table].needsRefresh(entry, now: now))
    }

    /// Stores `server` for `key` here at once; the other loops and the peer get it after this tick.
    func stickStore(table: Int, key: StickKey, server: String, now: Int64) {
        guard let entry = stickTables[table].store(key, server: server, now: now) else { return }
        stickOutbox.append(StickUpdate(table: table, key: key, server: server, stamp: entry.stamp, expiresAt: entry.expiresAt))
        guard !stickFlushScheduled else { return }
        stickFlushScheduled = true
        eventLoop.assumeIsolated().execute { [self] in flushStickOutbox() }
    }

    /// Entries from another loop of this process.
    func mergeStick(_ updates: [StickUpdate]) {
        let now = WallClock.milliseconds()
        for update in updates {
            stickTables[update.table].merge(update.key, server: update.server, stamp: update.stamp, expiresAt: update.expiresAt, now: now)
        }
    }

    /// Entries from the peer (or `clear table`'s counterpart): records by table name.
    func mergeStick(records: [StickRecord], now: Int64) {
        for record in records {
            guard let table = runtime.stickTableIndex[record.table] else { continue }
            let plan = runtime.plan.stickTables[table]
            guard let key = StickKey(text: record.key, type: plan.type, length: plan.length) else { continue }
            stickTables[table].merge(key, server: record.server, stamp: record.stamp, expiresAt: record.expiresIn.map { now + $0 }, now: now)
        }
    }

    func flushStickOutbox() {
        stickFlushScheduled = false
        guard !stickOutbox.isEmpty else { return }
        let batch = stickOutbox
        stickOutbox = []
        if otherContexts == nil {
            otherContexts = runtime.contexts.enumerated().filter { $0.offset != index }.map(\.element)
        }
        for context in otherContexts ?? [] {
            context.eventLoop.execute { context.value.mergeStick(batch) }
        }
        guard let sink = runtime.stickSink else { return }
        let now = WallClock.milliseconds()
        let shared = batch.filter { runtime.plan.stickTables[$0.table].peers != nil }.map { update in
            StickRecord(table: runtime.plan.stickTables[update.table].name, key: update.key.description, server: update.server,
                        stamp: update.stamp, expiresIn: update.expiresAt.map { max($0 - now, 1) })
        }
        if !shared.isEmpty { sink(shared) }
    }

    func purgeStickTables() {
        guard !stickTables.isEmpty else { return }
        let now = WallClock.milliseconds()
        for index in stickTables.indices { stickTables[index].purgeExpired(now: now) }
    }

    /// Live entries of every table as records (for `show table`, the peer's resync, a reload).
    func stickRecords() -> [[StickRecord]] {
        let now = WallClock.milliseconds()
        return stickTables.map { table in
            table.live(now: now).map { key, entry in
                StickRecord(table: table.plan.name, key: key.description, server: entry.server, stamp: entry.stamp,
                            expiresIn: entry.expiresAt.map { $0 - now })
            }
        }
    }
}

/// What a request's (or TCP connection's) stick rules decided.
struct StickOutcome {
    /// The entry that designated a server, if one did.
    var match: StickMatch?
    /// The server it designates, when this backend has it.
    var server: Int?
    /// The keys to store once a server is chosen, one per table.
    var stores: [(table: Int, key: StickKey)] = []
}

extension LoopContext {
    /// HAProxy's order: rules in turn; the first rule whose key has a live entry designates its
    /// server (skipped when the request is already assigned, as by a persistence cookie); the
    /// first storing rule of each table names the key stored once a server is chosen. A sample
    /// that does not convert to the table's type neither matches nor stores.
    func evaluateStickRules(_ backend: BackendState, facts: RequestFacts, designated: Bool) -> StickOutcome {
        var outcome = StickOutcome()
        let now = WallClock.milliseconds()
        for rule in backend.plan.stickRules where rule.condition.evaluate(facts) {
            let plan = runtime.plan.stickTables[rule.table]
            guard let key = StickKey(rule.pattern.evaluate(facts), plan: plan) else { continue }
            if rule.matches, !designated, outcome.match == nil, let found = stickMatch(table: rule.table, key: key, now: now) {
                outcome.match = found
                // An entry naming a server this backend lacks (another section's table) is a miss.
                outcome.server = backend.plan.servers.firstIndex { $0.name == found.server }
            }
            if rule.stores, !outcome.stores.contains(where: { $0.table == rule.table }) {
                outcome.stores.append((rule.table, key))
            }
        }
        return outcome
    }

    /// Stores `server` under each key, unless the entry found already names it (and is not due
    /// for a refresh): a returning client writes nothing.
    func storeStickEntries(_ stores: [(table: Int, key: StickKey)], match: StickMatch?, server: String) {
        guard !stores.isEmpty else { return }
        let now = WallClock.milliseconds()
        for (table, key) in stores {
            if let match, match.table == table, match.key == key, match.server == server, !match.refresh { continue }
            stickStore(table: table, key: key, server: server, now: now)
        }
    }
}
