public import NIOCore

extension VRRPStateMachine {
    /// How long a BACKUP waits, after the peer channel closed, for an advert proving the master
    /// is alive. The master answers a closed channel with an immediate advert (below), which on a
    /// LAN arrives within a millisecond or two; 30 ms leaves room for a busy event loop on the
    /// master while keeping kill-to-VIP well under 100 ms. If the advert is late anyway, the
    /// live master outranks our advert and we yield again at once (§6.4.2).
    public static let peerCrashConfirmationWindow: TimeAmount = .milliseconds(30)

    /// hactl's peer channel closed with a FIN or RST: the peer's process may have died (its
    /// kernel closed the socket), or only the channel broke.
    ///
    /// - A MASTER advertises at once: if only the channel broke, the peer hears we are alive.
    /// - A BACKUP whose master is that peer (`peerWasMaster`, from the peer's last health report)
    ///   brings its Master_Down_Timer forward to `now + confirmationWindow`. Any advert from the
    ///   master before then restarts the timer as usual (§6.4.2), so a live master keeps the role;
    ///   with no advert, the backup takes over without waiting out Master_Down_Interval.
    public mutating func peerLinkClosed(
        now: NIODeadline, peerWasMaster: Bool, confirmationWindow: TimeAmount = peerCrashConfirmationWindow
    ) -> [VRRPAction] {
        switch state {
        case .master:
            let next = now + advertisementInterval
            advertDeadline = next
            return [.sendAdvertisement(priority: priority), .armAdvertTimer(next)]
        case .backup where peerWasMaster:
            let deadline = now + confirmationWindow
            if let current = masterDownDeadline, current <= deadline { return [] }
            masterDownDeadline = deadline
            pendingMasterReason = .peerProcessDied
            return [.armMasterDownTimer(deadline)]
        case .backup, .initialize, .fault:
            return []
        }
    }
}
