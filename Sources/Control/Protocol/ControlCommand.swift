/// A request to the running appliance, whichever dialect it arrived in (hactl's JSON lines or
/// HAProxy's runtime API). The control server checks `requiredLevel` against the socket's
/// level before handing it to the `ControlResponder`.
public enum ControlCommand: Sendable, Equatable {
    /// Report the node's `StatusReport`.
    case status
    /// Give up (or, with `clear`, stop refusing) MASTER: `hactl failover`.
    case failover(Failover)
    /// Change one server's administrative state or weight.
    case server(backend: String, server: String, action: ServerAction)
    /// Stop or resume accepting connections on a frontend.
    case frontend(name: String, action: FrontendAction)
    /// Re-read the configuration files and apply the difference (like SIGHUP).
    case reload

    /// `hactl failover [--instance NAME] [--force] [--clear] [--wait]`.
    public struct Failover: Sendable, Equatable {
        /// The instance to move; nil means every instance this node is MASTER of.
        public var instance: String?
        /// Fail over even when the peer looks unable to take over (no adverts heard, peer in FAULT).
        public var force: Bool
        /// Clear a failover hold instead of creating one: the node may become MASTER again.
        public var clear: Bool
        /// Answer only once the transition happened (or failed), not when it was requested.
        public var wait: Bool

        public init(instance: String? = nil, force: Bool = false, clear: Bool = false, wait: Bool = false) {
            self.instance = instance
            self.force = force
            self.clear = clear
            self.wait = wait
        }
    }

    /// What to do to a server (HAProxy `set server B/S state ...` / `set weight`).
    public enum ServerAction: Sendable, Equatable {
        /// Maintenance: no traffic at all (`state maint`, `disable server`).
        case disable
        /// Back to normal (`state ready`, `enable server`).
        case enable
        /// No new sessions; existing and persistent ones continue (`state drain`).
        case drain
        /// Set the weight (0...256).
        case weight(Int)
    }

    /// What to do to a frontend.
    public enum FrontendAction: String, Sendable, Equatable {
        case disable, enable
    }

    /// Everything but `status` changes something.
    public var isWrite: Bool {
        if case .status = self { return false }
        return true
    }

    /// The lowest socket level that may run this command (policy in `ControlLevel`).
    public var requiredLevel: ControlLevel {
        switch self {
        case .status:
            return .user
        case .server(_, _, .enable), .server(_, _, .drain), .server(_, _, .weight), .frontend(_, .enable):
            return .operator
        case .server(_, _, .disable), .frontend(_, .disable), .failover, .reload:
            return .admin
        }
    }

    /// The command as an operator would name it in a message (`server disable`, `failover`).
    public var name: String {
        switch self {
        case .status: "status"
        case .failover: "failover"
        case .server(_, _, .disable): "server disable"
        case .server(_, _, .enable): "server enable"
        case .server(_, _, .drain): "server drain"
        case .server(_, _, .weight): "server weight"
        case .frontend(_, .disable): "frontend disable"
        case .frontend(_, .enable): "frontend enable"
        case .reload: "reload"
        }
    }
}
