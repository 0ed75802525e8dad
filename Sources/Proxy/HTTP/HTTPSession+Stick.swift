/// `stick on|match|store-request` (HAProxy §4.2) for one request, on the session's loop copy of
/// the tables: no lock, no hop.
extension HTTPSession {
    /// Evaluates the backend's stick rules: the first entry found designates its server (unless
    /// a persistence cookie already did: HAProxy skips matching for an assigned request); the
    /// first storing rule of each table names the key stored once a server is chosen.
    func applyStickRules(_ facts: RequestFacts, backend: BackendState, exchange current: Exchange) {
        let now = WallClock.milliseconds()
        for rule in backend.plan.stickRules where rule.condition.evaluate(facts) {
            let plan = runtime.plan.stickTables[rule.table]
            guard let key = StickKey(rule.pattern.evaluate(facts), plan: plan) else { continue }
            if rule.matches, current.designatedServer == nil, current.stickMatch == nil,
               let found = loop.stickMatch(table: rule.table, key: key, now: now) {
                current.stickMatch = found
                // An entry naming a server this backend lacks (another section's table) is a miss.
                current.designatedServer = backend.plan.servers.firstIndex { $0.name == found.server }
            }
            if rule.stores, !current.stickStores.contains(where: { $0.table == rule.table }) {
                current.stickStores.append((rule.table, key))
            }
        }
    }

    /// The server is chosen: store it under each key, unless the entry found already says so
    /// (and is not due for a refresh), so a returning client writes nothing.
    func storeStickEntries(server: Int, backend: BackendState, exchange current: Exchange) {
        let name = backend.servers[server].plan.name
        let now = WallClock.milliseconds()
        for (table, key) in current.stickStores {
            if let found = current.stickMatch, found.table == table, found.key == key, found.server == name, !found.refresh { continue }
            loop.stickStore(table: table, key: key, server: name, now: now)
        }
    }
}
