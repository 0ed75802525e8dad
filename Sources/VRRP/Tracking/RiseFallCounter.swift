/// keepalived's `rise` / `fall` for a `vrrp_script`: the first result decides the verdict;
/// after that it flips to down after `fall` consecutive failures and back up after `rise`
/// consecutive successes.
public struct RiseFallCounter: Sendable, Hashable {
    public let rise: Int
    public let fall: Int
    public private(set) var isUp: Bool?
    private var streak = 0

    public init(rise: Int, fall: Int) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
    }

    /// Records one result; returns the new verdict when it changed (or was first decided).
    public mutating func record(success: Bool) -> Bool? {
        guard let current = isUp else {
            isUp = success
            streak = 0
            return success
        }
        if success == current {
            streak = 0
            return nil
        }
        streak += 1
        if streak >= (success ? rise : fall) {
            isUp = success
            streak = 0
            return success
        }
        return nil
    }
}
