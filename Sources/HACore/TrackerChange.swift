/// One tracked object's new verdict and what it did to its VRRP instance, for the log
/// (`HAEvent.trackerChanged`): a tracker that subtracts its weight is not "up", so the effect
/// is said in words and the priority that results is given with every term that makes it.
public struct TrackerChange: Sendable, Equatable {
    public var instance: String
    /// "track_script chk_gw", "track_file degraded", "sync_group G member VI_1"...
    public var tracker: String
    /// Why it changed: the script's outcome, "link down", "/run/w holds 30".
    public var reason: String
    public var effect: Effect
    /// The instance's base priority (configuration, role or `--priority`).
    public var basePriority: Int
    /// The priority adverts carry after the change (base plus terms, clamped to 1–254).
    public var priority: Int
    /// Every tracker's term after the change, sorted by tracker: ("track_file degraded", "-20"), ("track_script chk", "FAULT").
    public var terms: [Term]

    /// What the new verdict did compared with the tracker's previous term.
    public enum Effect: String, Sendable, Hashable {
        /// The tracker now holds the instance in FAULT (weight 0 down, a track_file below −253...).
        case fault = "fault"
        /// The tracker no longer holds the instance in FAULT (others may still).
        case faultCleared = "fault cleared"
        case lowersPriority = "lowers priority"
        /// Back to adding nothing after subtracting: the penalty is lifted.
        case restoresPriority = "restores priority"
        case raisesPriority = "raises priority"
        /// The verdict changed but not the term (a weight-0 tracker's value from 0 to 0...).
        case none = "no effect"
    }

    public struct Term: Sendable, Equatable {
        public var tracker: String
        public var value: String

        public init(tracker: String, value: String) {
            self.tracker = tracker
            self.value = value
        }
    }

    public init(
        instance: String, tracker: String, reason: String, effect: Effect, basePriority: Int, priority: Int, terms: [Term]
    ) {
        self.instance = instance
        self.tracker = tracker
        self.reason = reason
        self.effect = effect
        self.basePriority = basePriority
        self.priority = priority
        self.terms = terms
    }

    /// True when the change takes something away: a FAULT or a lower priority.
    public var isDegradation: Bool { effect == .fault || effect == .lowersPriority }
}
