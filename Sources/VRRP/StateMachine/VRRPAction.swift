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
    /// Gratuitous ARP / unsolicited NA for every virtual address (garp_master_* timing is the shell's).
    case announceVirtualAddresses
    /// The state changed; publish it and run notify scripts.
    case transition(from: VRRPState, to: VRRPState, reason: TransitionReason)
}
