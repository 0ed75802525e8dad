public import NIOCore

/// `hactl failover`: the operator moves the VIPs with the protocol's own means (`OperatorHold`).
extension VRRPStateMachine {
    /// Whether another router advertised (priority > 0) within Master_Down_Interval of `now`.
    public func peerKnownAlive(now: NIODeadline) -> Bool {
        guard let last = lastPeerAdvertisementAt else { return false }
        return now - last <= masterDownInterval
    }

    /// The priority a forced takeover advertises: above the master's, at most 254 (RFC 9568
    /// §5.2.4 keeps 255 for the address owner); never below our own.
    public var takeoverPriority: UInt8 {
        let aboveMaster = Int(masterPriority ?? 0) + 1
        return UInt8(min(254, max(Int(trackedPriority), aboveMaster)))
    }

    /// The operator asks for a failover.
    ///
    /// - MASTER: resigns (priority-0 advert, VIPs removed) and stays BACKUP at
    ///   `OperatorHold.heldDownPriority`; refused without `force` unless a peer is known alive.
    /// - BACKUP with `force`: advertises `takeoverPriority` and becomes MASTER at once, whatever
    ///   `nopreempt`; the old master yields on our higher priority (§6.4.3). Refused without
    ///   `force`, and when no priority can outrank the master.
    public mutating func operatorFailover(force: Bool, now: NIODeadline) -> (FailoverDecision, [VRRPAction]) {
        switch state {
        case .initialize: return (.refused(.notRunning), [])
        case .fault: return (.refused(.inFault), [])
        case .master:
            if !force && !peerKnownAlive(now: now) {
                let interval = masterDownInterval.nanoseconds / 1_000_000
                return (.refused(.noLivePeer(masterDownIntervalMilliseconds: interval)), [])
            }
            operatorHold = .heldDown
            let actions: [VRRPAction] = [.cancelAdvertTimer, .sendAdvertisement(priority: 0), .removeVirtualAddresses]
            return (.handedOver, actions + becomeBackup(now: now, reason: .operatorFailover))
        case .backup:
            let target = takeoverPriority
            let master = masterAddress.map { "\($0)" }
            if let masterPriority, let masterAddress, masterAddress != parameters.primaryAddress {
                if masterPriority == 255 { return (.refused(.masterIsAddressOwner(master: "\(masterAddress)")), []) }
                if masterPriority >= target && masterAddress > parameters.primaryAddress {
                    return (.refused(.masterWinsTie(master: "\(masterAddress)")), [])
                }
            }
            guard force else {
                return (.refused(.backupNeedsForce(master: master, masterPriority: masterPriority, wouldAdvertise: target)), [])
            }
            operatorHold = .forced(priority: target)
            return (.tookOver(priority: target), becomeMaster(now: now, reason: .operatorTakeover(priority: target)))
        }
    }

    /// `hactl failover --clear`: back to the tracked priority. A MASTER advertises it at once;
    /// a BACKUP whose priority now beats a live master preempts by the RFC's rules (§6.4.2).
    public mutating func clearOperatorHold(now: NIODeadline) -> [VRRPAction] {
        guard operatorHold != nil else { return [] }
        let before = priority
        operatorHold = nil
        return advertiseIfPriorityChanged(from: before, now: now)
    }
}
