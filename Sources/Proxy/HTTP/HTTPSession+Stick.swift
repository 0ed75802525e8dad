/// `stick on|match|store-request` (HAProxy §4.2) for one HTTP request, on the session's loop
/// copy of the tables: no lock, no hop.
extension HTTPSession {
    /// Evaluates the backend's stick rules (see `LoopContext.evaluateStickRules`): an entry found
    /// designates its server unless a persistence cookie already did.
    func applyStickRules(_ facts: RequestFacts, backend: BackendState, exchange current: Exchange) {
        let outcome = loop.evaluateStickRules(backend, facts: facts, designated: current.designatedServer != nil)
        current.stickMatch = outcome.match
        current.stickStores = outcome.stores
        if let server = outcome.server { current.designatedServer = server }
    }

    /// The server is chosen: store it under each key (see `LoopContext.storeStickEntries`).
    func storeStickEntries(server: Int, backend: BackendState, exchange current: Exchange) {
        loop.storeStickEntries(current.stickStores, match: current.stickMatch, server: backend.servers[server].plan.name)
    }
}
