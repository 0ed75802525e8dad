public import NIOCore

/// What the shell must do after feeding an input to `VRRPStateMachine`, in order.
public enum VRRPAction: Hashable, Sendable {
    /// Send one ADVERTISEMENT with this priority (0 = resign).
    case sendAdvertisement(priority: UInt8)
    /// (Re)arm Adver_Timer to fire at the deadline.
    case armAdvertTimer(NIODeadline)
    case cancelAdvertTimer
    /// (Re)arm Master_Down_Timer (RFC 9568's Active_Down_Timer).
    case armMasterDownTimer(NIODeadline)
    case cancelMasterDownTimer
    /// Install the virtual addresses (`virtual_ipaddress`).
    case addVirtualAddresses
    /// Remove the virtual addresses.
    case removeVirtualAddresses
    /// Gratuitous ARP / unsolicited NA for every virtual address on becoming MASTER
    /// (`garp_master_repeat` now and again after `garp_master_delay`; the shell's timing).
    case announceVirtualAddresses
    /// A MASTER heard a lower-priority router claim MASTER: the LAN may have learnt that
    /// router's MAC for our VIPs, so announce them again (`garp_lower_prio_repeat` now and
    /// again after `garp_lower_prio_delay`).
    case reannounceVirtualAddresses
    /// `garp_master_refresh`: (re)arm the periodic re-announcement to fire at the deadline.
    case armAnnouncementRefreshTimer(NIODeadline)
    /// `garp_master_refresh` fired: `garp_master_refresh_repeat` announcements.
    case refreshVirtualAddresses
    /// `vrrp_witness`: the Master_Down_Timer expired on silence. Probe the witness and the peer
    /// now; answer with `reachabilityConfirmed` (one of them answered) or `reachabilityUnconfirmed`.
    case confirmReachability
    /// `vrrp_witness`: neither the witness nor the peer answered, so the router did not claim
    /// MASTER; it stays BACKUP and waits another Master_Down_Interval. The shell logs it.
    case claimWithheld
    /// The state changed; publish it and run notify scripts.
    case transition(from: VRRPState, to: VRRPState, reason: TransitionReason)
}
