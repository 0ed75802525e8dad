/// An operator's `hactl failover` on one virtual router, in force until `hactl failover --clear`
/// or a restart. Not part of RFC 9568: it moves the router only through the RFC's own means —
/// a priority-0 advert to resign (§6.4.3) and a higher priority to be preferred (§6.4.2–6.4.3).
public enum OperatorHold: Sendable, Hashable {
    /// Handed over: advertises `heldDownPriority`, so any live peer is preferred and this router
    /// takes the VIPs back only when no other router advertises at all.
    case heldDown
    /// Took over with `--force`: advertises this priority (the master's + 1, at most 254) and
    /// keeps the VIPs whatever `nopreempt` says.
    case forced(priority: UInt8)

    /// The lowest priority a backup may advertise (RFC 9568 §5.2.4: 1–254 for a backup).
    public static let heldDownPriority: UInt8 = 1
}

/// What `VRRPStateMachine.operatorFailover` decided.
public enum FailoverDecision: Sendable, Hashable {
    /// A MASTER resigned with a priority-0 advert; it is BACKUP and held down.
    case handedOver
    /// A BACKUP (or a held one) preempts the master at `priority`.
    case tookOver(priority: UInt8)
    /// Nothing changed, for this reason.
    case refused(FailoverRefusal)
}

/// Why a failover did not happen: each says what was checked, so the operator can decide.
public enum FailoverRefusal: Sendable, Hashable {
    /// A MASTER without `force` heard no other router within Master_Down_Interval: handing
    /// over could leave the VIPs with nobody.
    case noLivePeer(masterDownIntervalMilliseconds: Int64)
    /// A BACKUP without `force`: what `force` would do.
    case backupNeedsForce(master: String?, masterPriority: UInt8?, wouldAdvertise: UInt8)
    /// The master is the address owner (priority 255): no priority outranks it.
    case masterIsAddressOwner(master: String)
    /// The master advertises 254 and wins the tie on its higher address (RFC 9568 §6.4.3).
    case masterWinsTie(master: String)
    /// FAULT: a tracked object is down; this router cannot take or hand over anything.
    case inFault
    /// INIT: the instance is not running.
    case notRunning
}

