/// What the running appliance did with each change of a reload: applied live, left for a
/// restart, or tried and failed (the old setting still runs), each with its reason, so the
/// operator knows exactly what still runs the old way.
public struct ReloadReport: Sendable, Hashable {
    public var applied: [ConfigurationDiff.Change]
    public var needsRestart: [(change: ConfigurationDiff.Change, reason: String)]
    public var failed: [(change: ConfigurationDiff.Change, reason: String)]
    /// How an applied change was applied, where it matters to the operator: "priority 100 → 120
    /// (applied live)", "restarted: interface … cannot change on a running router".
    public var details: [ConfigurationDiff.Change: String] = [:]

    public init(
        applied: [ConfigurationDiff.Change] = [],
        needsRestart: [(change: ConfigurationDiff.Change, reason: String)] = [],
        failed: [(change: ConfigurationDiff.Change, reason: String)] = []
    ) {
        self.applied = applied
        self.needsRestart = needsRestart
        self.failed = failed
    }

    /// Whether everything in the new file now runs.
    public var isComplete: Bool { needsRestart.isEmpty && failed.isEmpty }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.applied == rhs.applied
            && lhs.needsRestart.map(\.change) == rhs.needsRestart.map(\.change)
            && lhs.needsRestart.map(\.reason) == rhs.needsRestart.map(\.reason)
            && lhs.failed.map(\.change) == rhs.failed.map(\.change)
            && lhs.failed.map(\.reason) == rhs.failed.map(\.reason)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(applied)
        for (change, reason) in needsRestart + failed {
            hasher.combine(change)
            hasher.combine(reason)
        }
    }
}
