public import HACore
public import Logging

/// How one `HAEvent` is logged: the component (logger label), level, message and metadata.
///
/// STYLE.md "log once, with metadata": the event bus is the source, the logger a subscriber,
/// and the fields travel as metadata rather than inside the message text.
public struct EventLogRecord: Sendable, Equatable {
    public var component: String
    public var level: Logger.Level
    public var message: String
    public var metadata: Logger.Metadata

    public init(component: String, level: Logger.Level, message: String, metadata: Logger.Metadata) {
        self.component = component
        self.level = level
        self.message = message
        self.metadata = metadata
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.component == rhs.component && lhs.level == rhs.level && lhs.message == rhs.message
            && lhs.metadata.mapValues(\.description) == rhs.metadata.mapValues(\.description)
    }

    /// The record for `event`. Failures are warnings or errors, recoveries notices, routine
    /// progress info; a transition into FAULT or a proxy going down is what pages someone.
    public init(_ event: HAEvent) {
        switch event {
        case .lifecycle(let lifecycle):
            switch lifecycle {
            case .configurationLoaded(let summary):
                self.init(component: "appliance", level: .info, message: "configuration loaded", metadata: ["summary": "\(summary)"])
            case .ready(let summary):
                self.init(component: "appliance", level: .notice, message: "ready", metadata: ["summary": "\(summary)"])
            case .stopping(let reason):
                self.init(component: "appliance", level: .notice, message: "stopping", metadata: ["reason": "\(reason)"])
            case .stopped:
                self.init(component: "appliance", level: .notice, message: "stopped", metadata: [:])
            }
        case .vrrpTransition(let instance, let from, let to, let reason):
            // keepalived's words, so the journal alerts written for keepalived keep matching.
            self.init(
                component: "vrrp",
                level: to == "FAULT" ? .error : .notice,
                message: "VRRP_Instance(\(instance)) Entering \(to) STATE",
                metadata: ["instance": "\(instance)", "from": "\(from)", "to": "\(to)", "reason": "\(reason)"]
            )
        case .vrrpPacketDropped(let instance, let reason):
            self.init(
                component: "vrrp",
                level: .warning,
                message: "advertisement dropped",
                metadata: ["instance": "\(instance)", "reason": "\(reason)"]
            )
        case .vrrpLowerPriorityAdvert(let instance, let from, let priority, let ours):
            self.init(
                component: "vrrp",
                level: .notice,
                message: "VRRP_Instance(\(instance)) received lower priority advert",
                metadata: ["instance": "\(instance)", "from": "\(from)", "priority": "\(priority)", "ours": "\(ours)"]
            )
        case .trackerChanged(let change):
            // "tracker lowers priority", "tracker fault cleared"...: a weight that subtracts is
            // never called "up". The priority comes with the base and every term that makes it.
            self.init(
                component: "vrrp",
                level: change.isDegradation ? .warning : .notice,
                message: change.effect == .none ? "tracker changed" : "tracker \(change.effect.rawValue)",
                metadata: [
                    "instance": "\(change.instance)", "tracker": "\(change.tracker)", "reason": "\(change.reason)",
                    "priority": "\(change.priority)", "base_priority": "\(change.basePriority)",
                    "terms": "\(change.terms.map { "\($0.tracker)=\($0.value)" }.joined(separator: ", "))",
                ]
            )
        case .serverHealth(let backend, let server, let up, let reason):
            self.init(
                component: "proxy",
                level: up ? .notice : .warning,
                message: up ? "server up" : "server down",
                metadata: ["backend": "\(backend)", "server": "\(server)", "reason": "\(reason)"]
            )
        case .proxyHealth(let up, let reason):
            self.init(
                component: "liveness",
                level: up ? .notice : .error,
                message: up ? "proxy up" : "proxy down",
                metadata: ["reason": "\(reason)"]
            )
        }
    }
}
