/// What the running appliance did with each change of a reload: applied live, or left for a
/// restart with the reason, so the operator knows exactly what still runs the old way.
public struct ReloadReport: Sendable, Hashable {
    public var applied: [ConfigurationDiff.Change]
    public var needsRestart: [(change: ConfigurationDiff.Change, reason: String)]

    public init(applied: [ConfigurationDiff.Change] = [], needsRestart: [(change: ConfigurationDiff.Change, reason: String)] = []) {
        self.applied = applied
        self.needsRestart = needsRestart
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.applied == rhs.applied
            && lhs.needsRestart.map(\.change) == rhs.needsRestart.map(\.change)
            && lhs.needsRestart.map(\.reason) == rhs.needsRestart.map(\.reason)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(applied)
        for (change, reason) in needsRestart {
            hasher.combine(change)
            hasher.combine(reason)
        }
    }
}
