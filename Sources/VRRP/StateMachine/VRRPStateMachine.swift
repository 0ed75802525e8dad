public import NIOCore
public import Netlink

/// The VRRP protocol of one virtual router as a pure value: RFC 9568 §6.4 (version 3) and
/// RFC 3768 §6.4 (version 2), plus keepalived's FAULT state, `nopreempt`, `preempt_delay`
/// and sync-group moves. Inputs carry the time; outputs are `VRRPAction`s for the shell.
/// It owns no socket, timer or logger.
public struct VRRPStateMachine: Sendable {
    /// Fixed for the machine's life, except the announcement settings a reload changes in place
    /// (`updateAnnouncementSettings`).
    public private(set) var parameters: VirtualRouterParameters
    public private(set) var state: VRRPState = .initialize
    /// The priority tracking gives: configured priority adjusted by tracking weights.
    public private(set) var trackedPriority: UInt8
    /// An operator's `hactl failover` in force, until cleared or a restart.
    public internal(set) var operatorHold: OperatorHold?
    /// The priority adverts carry now: `trackedPriority`, unless an operator hold replaces it.
    public var priority: UInt8 {
        switch operatorHold {
        case nil: return trackedPriority
        case .heldDown: return OperatorHold.heldDownPriority
        case .forced(let priority): return priority
        }
    }
    /// The priority in the last advert we accepted as the master's (ours when MASTER).
    public private(set) var masterPriority: UInt8?
    /// When an advert (priority > 0) from another router last arrived, whatever our state.
    public private(set) var lastPeerAdvertisementAt: NIODeadline?
    /// RFC 9568 §6.1 Active_Adver_Interval: learned from the master's adverts (version 3).
    public private(set) var masterAdvertisementInterval: TimeAmount
    /// The sender of the last advert we accepted as master's.
    public private(set) var masterAddress: IPAddress?
    /// True while a tracked object holds the router in FAULT.
    public private(set) var faulted = false

    var masterDownDeadline: NIODeadline?
    var advertDeadline: NIODeadline?
    /// When the next `garp_master_refresh` re-announcement is due (MASTER only).
    var refreshDeadline: NIODeadline?
    /// preempt_delay: when the hold on preempting a live lower-priority master ends.
    var preemptAllowedAt: NIODeadline?
    /// What the next Master_Down_Timer expiry means, for the transition reason.
    var pendingMasterReason: TransitionReason = .masterDownTimerExpired
    /// `vrrp_witness`: a claim waiting for the shell to confirm the witness or the peer answers.
    public internal(set) var pendingClaim: TransitionReason?

    public init(parameters: VirtualRouterParameters) {
        self.parameters = parameters
        self.trackedPriority = parameters.priority
        self.masterAdvertisementInterval = TimeAmount(parameters.advertisementInterval)
    }

    // MARK: Timer arithmetic (RFC 9568 §6.1, RFC 3768 §6.1)

    /// Skew_Time. v3: ((256 − Priority) × Active_Adver_Interval) / 256; v2: (256 − Priority) / 256 s.
    public var skewTime: TimeAmount {
        let weight = Int64(256 - Int(priority))
        switch parameters.version {
        case .v3: return .nanoseconds(weight * masterAdvertisementInterval.nanoseconds / 256)
        case .v2: return .nanoseconds(weight * 1_000_000_000 / 256)
        }
    }

    /// Master_Down_Interval = 3 × Active_Adver_Interval + Skew_Time.
    public var masterDownInterval: TimeAmount {
        .nanoseconds(3 * masterAdvertisementInterval.nanoseconds) + skewTime
    }

    var advertisementInterval: TimeAmount { TimeAmount(parameters.advertisementInterval) }

    // MARK: Inputs

    /// RFC 9568 §6.4.1: the Startup event.
    public mutating func start(now: NIODeadline) -> [VRRPAction] {
        guard state == .initialize else { return [] }
        if faulted {
            state = .fault
            return [.transition(from: .initialize, to: .fault, reason: .startup)]
        }
        if priority == 255 { return becomeMaster(now: now, reason: .addressOwner) }
        return becomeBackup(now: now, reason: .startup)
    }

    /// RFC 9568 §6.4.1–6.4.3: the Shutdown event. A master resigns with priority 0 and
    /// gives its addresses up first.
    public mutating func shutdown(now: NIODeadline) -> [VRRPAction] {
        let from = state
        var actions: [VRRPAction] = []
        switch state {
        case .initialize: return []
        case .master:
            actions = [.cancelAdvertTimer, .sendAdvertisement(priority: 0), .removeVirtualAddresses]
        case .backup:
            actions = [.cancelMasterDownTimer]
        case .fault:
            break
        }
        state = .initialize
        clearTimers()
        actions.append(.transition(from: from, to: .initialize, reason: .shutdown))
        return actions
    }

    /// Adver_Timer fired (RFC 9568 §6.4.3): a master advertises and re-arms.
    public mutating func advertTimerExpired(now: NIODeadline) -> [VRRPAction] {
        guard state == .master, let deadline = advertDeadline, now >= deadline else { return [] }
        let next = now + advertisementInterval
        advertDeadline = next
        return [.sendAdvertisement(priority: priority), .armAdvertTimer(next)]
    }

    /// The `garp_master_refresh` timer fired: a MASTER re-announces its VIPs and re-arms.
    /// A stale timer (before the deadline, or after leaving MASTER) does nothing.
    public mutating func announcementRefreshTimerExpired(now: NIODeadline) -> [VRRPAction] {
        guard state == .master, let deadline = refreshDeadline, now >= deadline else { return [] }
        guard let refresh = parameters.announcementRefresh, refresh > .zero else {
            refreshDeadline = nil
            return []
        }
        let next = now + TimeAmount(refresh)
        refreshDeadline = next
        return [.refreshVirtualAddresses, .armAnnouncementRefreshTimer(next)]
    }

    /// A reload changed `higher_prio_send_advert` or `garp_master_refresh`: used from the next
    /// event on. A MASTER that had no refresh starts one now; one that had keeps its deadline
    /// and takes the new interval when it fires.
    public mutating func updateAnnouncementSettings(
        yieldsWithAdvert: Bool, announcementRefresh: Duration?, now: NIODeadline
    ) -> [VRRPAction] {
        parameters.yieldsWithAdvert = yieldsWithAdvert
        parameters.announcementRefresh = announcementRefresh
        guard state == .master, refreshDeadline == nil, let refresh = announcementRefresh, refresh > .zero else { return [] }
        let next = now + TimeAmount(refresh)
        refreshDeadline = next
        return [.armAnnouncementRefreshTimer(next)]
    }

    /// Master_Down_Timer fired (RFC 9568 §6.4.2): a backup takes over.
    public mutating func masterDownTimerExpired(now: NIODeadline) -> [VRRPAction] {
        guard state == .backup, let deadline = masterDownDeadline, now >= deadline else { return [] }
        if parameters.confirmsClaimWithWitness, pendingMasterReason == .masterDownTimerExpired {
            return askForReachability(now: now)
        }
        return becomeMaster(now: now, reason: pendingMasterReason)
    }

    /// An advertisement that passed `AdvertisementValidator` arrived from `sender`.
    public mutating func advertisementReceived(
        _ advertisement: Advertisement, from sender: IPAddress, now: NIODeadline
    ) -> [VRRPAction] {
        if advertisement.priority > 0 { lastPeerAdvertisementAt = now }
        switch state {
        case .backup: return backupReceived(advertisement, from: sender, now: now)
        case .master: return masterReceived(advertisement, from: sender, now: now)
        case .initialize, .fault: return []
        }
    }

    /// Tracking changed the effective priority (already clamped by `PriorityCalculator`).
    /// A master advertises the new priority at once so peers learn it without waiting.
    public mutating func priorityChanged(to newPriority: UInt8, now: NIODeadline) -> [VRRPAction] {
        guard newPriority != trackedPriority, parameters.priority != 255 else { return [] }
        let before = priority
        trackedPriority = newPriority
        return advertiseIfPriorityChanged(from: before, now: now)
    }

    /// A master advertises a changed priority at once so peers learn it without waiting.
    mutating func advertiseIfPriorityChanged(from before: UInt8, now: NIODeadline) -> [VRRPAction] {
        guard priority != before else { return [] }
        if state == .master {
            masterPriority = priority
            let next = now + advertisementInterval
            advertDeadline = next
            return [.sendAdvertisement(priority: priority), .armAdvertTimer(next)]
        }
        return []
    }

    /// A tracked object with weight 0 (or an interface) failed: keepalived's FAULT. A master
    /// resigns with a priority 0 advert so the peer takes over after Skew_Time.
    public mutating func faultDetected(reason: String, now: NIODeadline) -> [VRRPAction] {
        faulted = true
        let from = state
        var actions: [VRRPAction]
        switch state {
        case .initialize, .fault: return []
        case .master:
            actions = [.cancelAdvertTimer, .sendAdvertisement(priority: 0), .removeVirtualAddresses]
        case .backup:
            actions = [.cancelMasterDownTimer]
        }
        clearTimers()
        state = .fault
        actions.append(.transition(from: from, to: .fault, reason: .fault(reason)))
        return actions
    }

    /// Every fault is gone: back to BACKUP (or MASTER for an address owner).
    public mutating func faultCleared(now: NIODeadline) -> [VRRPAction] {
        faulted = false
        guard state == .fault else { return [] }
        if priority == 255 { return becomeMaster(now: now, reason: .faultCleared) }
        return becomeBackup(now: now, reason: .faultCleared)
    }

    /// vrrp_sync_group: another member became MASTER, so this one does too.
    public mutating func syncGroupMaster(reason: TransitionReason, now: NIODeadline) -> [VRRPAction] {
        guard state == .backup else { return [] }
        return becomeMaster(now: now, reason: reason)
    }

    /// vrrp_sync_group: another member left MASTER for BACKUP, so this one does too.
    public mutating func syncGroupBackup(reason: TransitionReason, now: NIODeadline) -> [VRRPAction] {
        guard state == .master else { return [] }
        return [.cancelAdvertTimer, .removeVirtualAddresses] + becomeBackup(now: now, reason: reason)
    }

    // MARK: Backup (RFC 9568 §6.4.2)

    mutating func backupReceived(_ advertisement: Advertisement, from sender: IPAddress, now: NIODeadline)
        -> [VRRPAction]
    {
        if advertisement.priority == 0 {
            let deadline = now + skewTime
            masterDownDeadline = deadline
            pendingMasterReason = .masterResigned(sender)
            pendingClaim = nil
            return [.armMasterDownTimer(deadline)]
        }
        let senderWins = advertisement.priority >= priority
        if !parameters.preempt || senderWins {
            if senderWins { preemptAllowedAt = nil }
            return acceptMaster(advertisement, from: sender, now: now)
        }
        // Preempt_Mode and a lower-priority master: discard, unless preempt_delay still holds.
        if parameters.preemptDelay > .zero {
            let allowedAt = preemptAllowedAt ?? now + TimeAmount(parameters.preemptDelay)
            preemptAllowedAt = allowedAt
            if now < allowedAt { return acceptMaster(advertisement, from: sender, now: now) }
        }
        pendingMasterReason = .preemptingLowerPriorityMaster(sender, priority: advertisement.priority)
        return []
    }

    mutating func acceptMaster(_ advertisement: Advertisement, from sender: IPAddress, now: NIODeadline)
        -> [VRRPAction]
    {
        if parameters.version == .v3 {
            masterAdvertisementInterval = .milliseconds(Int64(advertisement.intervalCentiseconds) * 10)
        }
        masterAddress = sender
        masterPriority = advertisement.priority
        let deadline = now + masterDownInterval
        masterDownDeadline = deadline
        pendingMasterReason = .masterDownTimerExpired
        pendingClaim = nil
        return [.armMasterDownTimer(deadline)]
    }

    // MARK: Master (RFC 9568 §6.4.3)

    mutating func masterReceived(_ advertisement: Advertisement, from sender: IPAddress, now: NIODeadline)
        -> [VRRPAction]
    {
        if advertisement.priority == 0 {
            let next = now + advertisementInterval
            advertDeadline = next
            return [.sendAdvertisement(priority: priority), .armAdvertTimer(next)]
        }
        let higher = advertisement.priority > priority
        let tieWon = advertisement.priority == priority && sender > parameters.primaryAddress
        if higher || tieWon {
            if parameters.version == .v3 {
                masterAdvertisementInterval = .milliseconds(Int64(advertisement.intervalCentiseconds) * 10)
            }
            masterAddress = sender
            masterPriority = advertisement.priority
            let reason: TransitionReason =
                higher
                ? .higherPriorityAdvertisement(sender, priority: advertisement.priority)
                : .samePriorityHigherAddress(sender)
            // higher_prio_send_advert. Two MASTERs mean a partition just healed, and the LAN's
            // neighbour caches may hold our MAC for the VIPs: the winner must re-announce them,
            // and it does so when it hears a lower-priority master (below). If the winner's advert
            // reached us first, it has not heard us yet and, once we are BACKUP, never will. One
            // last advert at our own priority tells it. This is sound under RFC 9568: it is an
            // ordinary advert from a router that is still Active when it sends it (§6.4.3 sends
            // adverts only while Active, and we have not left yet), carrying the priority we really
            // have. The winner outranks it, so it keeps the role (§6.4.3: an Active router leaves
            // only for a higher priority, or an equal one from a higher address — we lost exactly
            // that comparison, so the winner cannot lose it the other way); any Backup merely
            // restarts its Master_Down_Timer on it (§6.4.2), which the winner's next advert does
            // anyway, or discards it under Preempt_Mode if it outranks us. It is sent once, on
            // the transition, so it cannot start an exchange.
            var actions: [VRRPAction] = [.cancelAdvertTimer]
            if parameters.yieldsWithAdvert { actions.append(.sendAdvertisement(priority: priority)) }
            actions.append(.removeVirtualAddresses)
            return actions + becomeBackup(now: now, reason: reason)
        }
        // A lower priority (or an equal one from a lower address) claims MASTER: a partition
        // healed, or that router has just started. RFC 9568 §6.4.3 discards the advert; keepalived
        // (without lower_prio_no_advert) answers with an advert at once so the sender yields now
        // rather than at our next Adver_Timer, and — garp_lower_prio_repeat — re-announces the
        // VIPs, since while that router was MASTER the LAN learnt its MAC for them.
        return [.sendAdvertisement(priority: priority), .reannounceVirtualAddresses]
    }

    // MARK: Transitions

    mutating func becomeMaster(now: NIODeadline, reason: TransitionReason) -> [VRRPAction] {
        let from = state
        state = .master
        pendingClaim = nil
        masterDownDeadline = nil
        preemptAllowedAt = nil
        masterAddress = parameters.primaryAddress
        masterPriority = priority
        let next = now + advertisementInterval
        advertDeadline = next
        var actions: [VRRPAction] = []
        if from == .backup { actions.append(.cancelMasterDownTimer) }
        actions += [
            .transition(from: from, to: .master, reason: reason),
            .addVirtualAddresses,
            .sendAdvertisement(priority: priority),
            .announceVirtualAddresses,
            .armAdvertTimer(next),
        ]
        refreshDeadline = nil
        if let refresh = parameters.announcementRefresh, refresh > .zero {
            let due = now + TimeAmount(refresh)
            refreshDeadline = due
            actions.append(.armAnnouncementRefreshTimer(due))
        }
        return actions
    }

    mutating func becomeBackup(now: NIODeadline, reason: TransitionReason) -> [VRRPAction] {
        let from = state
        state = .backup
        advertDeadline = nil
        refreshDeadline = nil
        if from != .master { masterAdvertisementInterval = advertisementInterval }
        let deadline = now + masterDownInterval
        masterDownDeadline = deadline
        pendingMasterReason = .masterDownTimerExpired
        return [.transition(from: from, to: .backup, reason: reason), .armMasterDownTimer(deadline)]
    }

    mutating func clearTimers() {
        pendingClaim = nil
        masterDownDeadline = nil
        advertDeadline = nil
        refreshDeadline = nil
        preemptAllowedAt = nil
    }
}
