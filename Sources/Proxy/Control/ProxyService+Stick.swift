public import HACore
import NIOCore

/// One stick table as `show table` shows it (HAProxy runtime API, §"show table").
public struct StickTableSnapshot: Sendable, Hashable {
    public var name: String
    /// `ip`, `ipv6`, `integer`, `string`.
    public var type: String
    public var size: Int
    public var length: Int?
    public var expireMilliseconds: Int64?
    public var peers: String?
    /// Live entries, oldest first.
    public var entries: [StickRecord]
}

/// Stick tables on the running proxy: what the operator sees and clears, what the peer link
/// sends and receives, what a reload carries over. Each reads or writes the loops' copies by
/// submitting to the loops: control path only, never a request's.
extension ProxyService {
    /// Stores into tables with `peers` are handed to `sink` in batches, on proxy event loops
    /// (it must not block). Takes effect at the next `run()`.
    public func installStickSink(_ sink: @escaping StickSink) {
        stickSinkBox.withLock { $0 = sink }
    }

    /// A reload: this instance starts with `previous`'s entries of every table whose definition
    /// is unchanged (type, len, size, expire, nopurge, peers); a changed table starts empty,
    /// which is logged. Takes effect at the next `run()`.
    public func inheritStickTables(from previous: ProxyService) {
        stickSourceBox.withLock { $0 = previous }
    }

    /// Every table with its live entries, read from the first loop's copy (each loop holds all
    /// entries; one made a few microseconds ago on another loop may be missing).
    public func stickTables() async -> [StickTableSnapshot] {
        guard let runtime = state.withLock({ $0.runtime }), let first = runtime.contexts.first else { return [] }
        let records = (try? await first.eventLoop.submit { first.value.stickRecords() }.get()) ?? []
        return zip(runtime.plan.stickTables, records).map { plan, entries in
            StickTableSnapshot(name: plan.name, type: plan.type.rawValue, size: plan.size, length: plan.length,
                               expireMilliseconds: plan.expireMilliseconds, peers: plan.peers, entries: entries)
        }
    }

    /// Entries learnt from the peer: merged into every loop's copy (last-writer-wins), for the
    /// tables of this configuration that have `peers`; never sent back.
    ///
    /// The peer teaches its entries as soon as the link is up, which on a node starting can be
    /// before this instance serves: those are kept (up to the shared tables' sizes) and merged
    /// when it starts, instead of being lost until the next resync.
    public func mergeStickRecords(_ records: [StickRecord]) async {
        guard !records.isEmpty else { return }
        let limit = earlyStickRecordLimit
        let runtime = state.withLock { state -> ProxyRuntime? in
            if state.runtime == nil {
                state.earlyStickRecords.append(contentsOf: records.prefix(max(0, limit - state.earlyStickRecords.count)))
            }
            return state.runtime
        }
        guard let runtime else { return }
        await mergeStickRecords(records, into: runtime)
    }

    /// How many early entries are kept: what the tables shared with the peer can hold.
    private var earlyStickRecordLimit: Int {
        ((try? planResult.get())?.stickTables ?? []).reduce(0) { $0 + ($1.peers != nil ? $1.size : 0) }
    }

    func mergeStickRecords(_ records: [StickRecord], into runtime: ProxyRuntime) async {
        let shared = records.filter { record in
            runtime.stickTableIndex[record.table].map { runtime.plan.stickTables[$0].peers != nil } ?? false
        }
        guard !shared.isEmpty else { return }
        for context in runtime.contexts {
            try? await context.eventLoop.submit { context.value.mergeStick(records: shared, now: WallClock.milliseconds()) }.get()
        }
    }

    /// `clear table NAME [key K]`: removes every entry (or K's) from every loop's copy; returns
    /// how many entries the first loop held. Local to this node, as in HAProxy.
    @discardableResult
    public func clearStickTable(_ name: String, key: String? = nil) async throws(ProxyControlError) -> Int {
        guard let runtime = state.withLock({ $0.runtime }) else { throw .notRunning }
        guard let table = runtime.stickTableIndex[name] else {
            throw .unknownTable(name, known: runtime.plan.stickTables.map(\.name))
        }
        let plan = runtime.plan.stickTables[table]
        var parsed: StickKey?
        if let key {
            guard let typed = StickKey(text: key, type: plan.type, length: plan.length) else {
                throw .badTableKey(table: name, key: key, type: plan.type.rawValue)
            }
            parsed = typed
        }
        var removed = 0
        let target = parsed
        for (index, context) in runtime.contexts.enumerated() {
            let count = (try? await context.eventLoop.submit { () -> Int in
                let before = context.value.stickTables[table].count
                if let target { context.value.stickTables[table].remove(target) } else { context.value.stickTables[table].removeAll() }
                return before - context.value.stickTables[table].count
            }.get()) ?? 0
            if index == 0 { removed = count }
        }
        logger.notice("stick table cleared", metadata: ["table": "\(name)", "key": "\(key ?? "*")", "entries": "\(removed)"])
        return removed
    }

    /// A reload, once this instance serves: merges `previous`'s entries again (last-writer-wins,
    /// so entries already copied at start change nothing), catching the stores the old instance
    /// made while this one was starting. Call it before `previous` stops.
    public func adoptStickTables(from previous: ProxyService) async {
        guard let runtime = state.withLock({ $0.runtime }), !runtime.plan.stickTables.isEmpty else { return }
        let old = await previous.stickTables()
        let records = runtime.plan.stickTables.flatMap { table -> [StickRecord] in
            guard let before = old.first(where: { $0.name == table.name }), Self.sameTable(before, table, previous: previous) else { return [] }
            return before.entries
        }
        guard !records.isEmpty else { return }
        for context in runtime.contexts {
            try? await context.eventLoop.submit { context.value.mergeStick(records: records, now: WallClock.milliseconds()) }.get()
        }
    }

    static func sameTable(_ before: StickTableSnapshot, _ table: StickTablePlan, previous: ProxyService) -> Bool {
        before.type == table.type.rawValue && before.size == table.size && before.length == table.length
            && before.expireMilliseconds == table.expireMilliseconds && before.peers == table.peers
            && previous.stickPlan(named: table.name)?.nopurge == table.nopurge
    }

    /// The previous instance's entries for the tables `plan` keeps unchanged, by table index.
    func inheritedStickRecords(plan: ProxyPlan) async -> [[StickRecord]]? {
        guard let previous = stickSourceBox.withLock({ $0.take() }), !plan.stickTables.isEmpty else { return nil }
        let old = await previous.stickTables()
        return plan.stickTables.map { table in
            guard let before = old.first(where: { $0.name == table.name }) else { return [] }
            if Self.sameTable(before, table, previous: previous) {
                if !before.entries.isEmpty {
                    logger.info("stick table kept across the reload", metadata: ["table": "\(table.name)", "entries": "\(before.entries.count)"])
                }
                return before.entries
            }
            logger.notice("stick table definition changed: the table starts empty", metadata: [
                "table": "\(table.name)", "dropped": "\(before.entries.count)",
            ])
            return []
        }
    }

    func stickPlan(named name: String) -> StickTablePlan? {
        (try? planResult.get())?.stickTables.first { $0.name == name }
    }
}
