/// What `VRRPEngine.failover` / `clearFailover` did to one instance, for `hactl failover`:
/// the state before and after (locally, at once) and a sentence for the operator.
public struct FailoverOutcome: Sendable, Hashable {
    public enum Result: String, Sendable, Hashable {
        /// A MASTER resigned; the peer takes the VIPs after its Skew_Time.
        case handedOver = "handed over"
        /// A BACKUP became MASTER above the old master's priority.
        case tookOver = "took over"
        /// Nothing changed; `message` says why and what `--force` would do.
        case refused
        /// The hold was lifted: back to the configured (tracked) priority.
        case cleared
        /// `clearFailover` on an instance without a hold.
        case notHeld = "not held"
        /// No running instance has that name.
        case unknownInstance = "unknown instance"
    }

    public var instance: String
    public var result: Result
    /// State before the command ("MASTER", "BACKUP", "FAULT", "INIT"; "" for an unknown instance).
    public var previousState: String
    /// State right after the command on this node. After `handedOver` the peer becomes MASTER
    /// within its Skew_Time; wait for it with `VRRPEngine.awaitState`.
    public var newState: String
    /// The priority this instance advertises now.
    public var priority: Int
    public var message: String

    /// Whether the command changed something.
    public var changed: Bool { result == .handedOver || result == .tookOver || result == .cleared }

    public init(instance: String, result: Result, previousState: String, newState: String, priority: Int, message: String) {
        self.instance = instance
        self.result = result
        self.previousState = previousState
        self.newState = newState
        self.priority = priority
        self.message = message
    }
}
