import Synchronization

/// HAProxy's `maxconn`, global and per frontend, counted for the whole process: client
/// connections open now, whichever event loop accepted them.
///
/// One atomic add per accepted or closed connection (never per request). A loop that takes a
/// count to its limit, or back below it, has every loop re-read the counts and pause or resume
/// its listeners (`LoopContext.updateAccepting`); until they have, a loop may accept a few more
/// connections than the limit (at most what it reads in one accept burst).
final class SessionAdmission: Sendable {
    let globalLimit: Int
    let frontendLimits: [Int]
    private let global = Atomic<Int>(0)
    private let frontends: [Counter]

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    init(globalLimit: Int, frontendLimits: [Int]) {
        self.globalLimit = globalLimit
        self.frontendLimits = frontendLimits
        self.frontends = frontendLimits.map { _ in Counter() }
    }

    /// A connection of `frontend` opened; true when a count reached its limit just now.
    func opened(frontend: Int) -> Bool {
        let total = global.add(1, ordering: .relaxed).newValue
        let own = frontends[frontend].value.add(1, ordering: .relaxed).newValue
        return total == globalLimit || own == frontendLimits[frontend]
    }

    /// A connection of `frontend` closed; true when a count left its limit just now.
    func closed(frontend: Int) -> Bool {
        let total = global.subtract(1, ordering: .relaxed).newValue
        let own = frontends[frontend].value.subtract(1, ordering: .relaxed).newValue
        return total == globalLimit - 1 || own == frontendLimits[frontend] - 1
    }

    /// Whether a limit is reached now, the global one or a frontend's (its listeners paused).
    var isAtLimit: Bool {
        if global.load(ordering: .relaxed) >= globalLimit { return true }
        return frontends.indices.contains { frontends[$0].value.load(ordering: .relaxed) >= frontendLimits[$0] }
    }

    /// Whether `frontend` may accept now: neither its own limit nor the global one is reached.
    func admits(frontend: Int) -> Bool {
        global.load(ordering: .relaxed) < globalLimit && frontends[frontend].value.load(ordering: .relaxed) < frontendLimits[frontend]
    }
}
