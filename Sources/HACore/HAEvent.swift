/// A control-plane event: something changed state in the appliance.
///
/// Events are what the rest of the appliance (logger, systemd status, notifier, control
/// socket) learns from; ARCHITECTURE.md rule 6 says every failure is one.
public enum HAEvent: Sendable, Equatable {
    /// The appliance lifecycle: configuration loaded, services up, stopping.
    case lifecycle(Lifecycle)
    /// A VRRP instance moved from one state to another.
    case vrrpTransition(instance: String, from: String, to: String, reason: String)
    /// A VRRP packet was dropped; `reason` is the rejection's name.
    case vrrpPacketDropped(instance: String, reason: String)
    /// A MASTER heard a lower-priority router claim MASTER (a healed partition, a peer starting):
    /// it answers with an advert and re-announces its VIPs.
    case vrrpLowerPriorityAdvert(instance: String, from: String, priority: Int, ours: Int)
    /// A tracked object (script, interface, file, proxy, sync-group peer) changed its verdict;
    /// the change says what it did to the instance's priority or FAULT.
    case trackerChanged(TrackerChange)
    /// A backend server went UP or DOWN.
    case serverHealth(backend: String, server: String, up: Bool, reason: String)
    /// The in-process proxy as a whole is healthy or not (the liveness probe's verdict).
    case proxyHealth(up: Bool, reason: String)

    public enum Lifecycle: Sendable, Equatable {
        case configurationLoaded(summary: String)
        case ready(summary: String)
        case stopping(reason: String)
        case stopped
    }
}
