public import NIOCore

/// hactl's `vrrp_witness` in the state machine: a BACKUP whose Master_Down_Timer expires on
/// silence has heard nothing from its peer for Master_Down_Interval, which is what both a dead
/// master and this node's own isolation look like. With a witness, it claims MASTER only once the
/// shell has seen the witness (or the peer) answer. Any other claim already has evidence that
/// the peer is reachable (its priority 0 advert, its lower-priority adverts under preemption, its
/// peer-link FIN), so it is not delayed.
///
/// The isolation verdict itself (FAULT after `fall` unanswered rounds) is a tracker
/// (`WitnessRounds` → `TrackedPriority`), so an isolated MASTER releases the VIPs the way any
/// FAULT does.
extension VRRPStateMachine {
    mutating func askForReachability(now: NIODeadline) -> [VRRPAction] {
        guard pendingClaim == nil else { return [] }
        pendingClaim = pendingMasterReason
        masterDownDeadline = nil
        return [.confirmReachability]
    }

    /// The witness or the peer answered the probe `.confirmReachability` asked for: claim.
    /// Stale (an advert arrived meanwhile, or the router left BACKUP) does nothing.
    public mutating func reachabilityConfirmed(now: NIODeadline) -> [VRRPAction] {
        guard state == .backup, let reason = pendingClaim else { return [] }
        return becomeMaster(now: now, reason: reason)
    }

    /// Neither answered: this node may be the one cut off. It does not claim; it stays BACKUP and
    /// waits another Master_Down_Interval (an advert meanwhile restarts the wait as usual).
    public mutating func reachabilityUnconfirmed(now: NIODeadline) -> [VRRPAction] {
        guard state == .backup, pendingClaim != nil else { return [] }
        pendingClaim = nil
        let deadline = now + masterDownInterval
        masterDownDeadline = deadline
        pendingMasterReason = .masterDownTimerExpired
        return [.claimWithheld, .armMasterDownTimer(deadline)]
    }
}
