import Glibc
import HACore
import Logging
import NIOCore
import NIOPosix
import Netlink

/// The shell around one `VRRPStateMachine` (one `vrrp_instance`): it owns the raw socket,
/// the timers, the VIPs and the trackers, feeds the machine its inputs and runs its actions.
/// Every mutable field is confined to `eventLoop`.
final class VirtualRouterNode: @unchecked Sendable {
    /// Replaced by a reload that changes only what a running node can change.
    var plan: InstancePlan
    let eventLoop: any EventLoop
    let interface: NetworkInterface
    let environment: NodeEnvironment

    var machine: VRRPStateMachine
    var tracking: TrackedPriority
    let validator: AdvertisementValidator
    var virtualAddresses: [InterfaceAddress]
    /// Whether our VIPs are installed (between `.addVirtualAddresses` and `.removeVirtualAddresses`).
    var holdsVirtualAddresses = false
    let sourceAddress: IPAddress
    let destinations: [IPAddress]
    /// VRIDs of our other instances on the same interface: their adverts are not "wrong VRID".
    var siblingVRIDs: Set<UInt8> = []
    var ownAddresses: Set<IPAddress> = []
    var socket: VRRPSocket?
    var syncGroup: SyncGroup?

    var advertTimer: Scheduled<Void>?
    var masterDownTimer: Scheduled<Void>?
    var announceTasks: [Scheduled<Void>] = []
    /// The `garp_master_refresh` timer the state machine armed.
    var refreshTask: Scheduled<Void>?
    /// Gratuitous ARP / NA senders by interface index, their sockets open while the node runs.
    var announcers: [UInt32: GratuitousAnnouncer] = [:]
    var trackerTasks: [RepeatedTask] = []
    var scriptCounters: [String: RiseFallCounter] = [:]
    var drops: [String: Int] = [:]
    /// Adverts accepted although RFC 9568 §7.1 drops them (`AdvertisementValidator.acceptedDespiteTTL`).
    var accepted: [String: Int] = [:]
    var lastDropPublished: [String: NIODeadline] = [:]
    var advertsSent = 0
    var advertsReceived = 0
    var lastAdvertReceivedAt: NIODeadline?
    /// The last `VRRPInstanceStatus.transitionHistoryLimit` transitions, oldest first.
    var transitionHistory: [VRRPInstanceStatus.Transition] = []
    /// Every transition since start (the history above keeps only the last few).
    var transitionsTotal = 0
    var stopped = false
    /// `vrrp_witness`: the probe and its rounds (nil without a witness).
    var witness: WitnessWatch?

    init(
        plan: InstancePlan, eventLoop: any EventLoop, interface: NetworkInterface, sourceAddress: IPAddress,
        destinations: [IPAddress], virtualAddresses: [InterfaceAddress], environment: NodeEnvironment
    ) {
        self.plan = plan
        self.eventLoop = eventLoop
        self.interface = interface
        self.sourceAddress = sourceAddress
        self.destinations = destinations
        self.virtualAddresses = virtualAddresses
        self.environment = environment
        var parameters = VirtualRouterParameters(
            virtualRouterID: plan.virtualRouterID, version: plan.version, priority: plan.priority,
            advertisementInterval: plan.advertisementInterval, preempt: plan.preempt,
            preemptDelay: plan.preemptDelay, primaryAddress: sourceAddress,
            yieldsWithAdvert: plan.higherPrioSendAdvert, announcementRefresh: plan.garpMasterRefresh)
        parameters.confirmsClaimWithWitness = plan.witness != nil
        machine = VRRPStateMachine(parameters: parameters)
        tracking = TrackedPriority(basePriority: plan.priority)
        validator = AdvertisementValidator(
            version: plan.version, virtualRouterID: plan.virtualRouterID, ipv4: plan.ipv4,
            authentication: plan.authentication, intervalCentiseconds: parameters.intervalCentiseconds)
    }

    var logger: Logger {
        var logger = environment.logger
        logger[metadataKey: "instance"] = "\(plan.name)"
        return logger
    }

    // MARK: Lifecycle (on eventLoop)

    /// Cleans stale VIPs, opens the socket, starts trackers and the state machine.
    func start() throws {
        eventLoop.preconditionInEventLoop()
        removeStaleVirtualAddresses()
        let socket = try VRRPSocket(
            interface: interface, ipv4: plan.ipv4, multicastGroup: plan.unicastPeers.isEmpty ? plan.multicastGroup : nil)
        self.socket = socket
        let loop = eventLoop
        try socket.startReceiving { [weak self] packet in
            guard let node = self else { return }
            loop.execute { node.received(packet) }
        }
        logger.info(
            "instance starting",
            metadata: [
                "interface": "\(interface.name)", "source": "\(sourceAddress)",
                "destinations": "\(destinations.map(\.description).joined(separator: ","))",
                "priority": "\(plan.priority)", "version": "\(plan.version.rawValue)",
                "preempt": "\(plan.preemptionInEffect)",
            ])
        for warning in plan.warnings { logger.warning("configuration warning", metadata: ["detail": "\(warning)"]) }
        try startWitness()
        startTrackers()
        run(machine.start(now: .now()))
    }

    /// Graceful stop: a MASTER resigns (priority 0) and every VIP is removed.
    func stop() {
        eventLoop.preconditionInEventLoop()
        guard !stopped else { return }
        run(machine.shutdown(now: .now()))
        stopped = true
        cancelTimers()
        trackerTasks.forEach { $0.cancel() }
        trackerTasks = []
        stopWitness()
        removeVirtualAddresses()
        socket?.close()
        socket = nil
        announcers.values.forEach { $0.close() }
        announcers = [:]
    }

    // MARK: Inputs

    func received(_ result: Result<ReceivedPacket, AdvertisementRejection>) {
        guard !stopped else { return }
        let validated = result.flatMap { packet -> Result<(Advertisement, ReceivedPacket), AdvertisementRejection> in
            validator.validate(packet).map { ($0, packet) }
        }
        switch validated {
        case .success(let (advertisement, packet)):
            if ownAddresses.contains(packet.source) { return }
            if let counter = AdvertisementValidator.acceptedDespiteTTL(packet) { accepted[counter, default: 0] += 1 }
            advertsReceived += 1
            lastAdvertReceivedAt = .now()
            let ours = machine.priority
            let actions = machine.advertisementReceived(advertisement, from: packet.source, now: .now())
            if actions.contains(where: { if case .reannounceVirtualAddresses = $0 { true } else { false } }) {
                // keepalived logs this case ("received lower priority advert"); operators alert on it.
                environment.bus.post(.vrrpLowerPriorityAdvert(instance: plan.name, from: "\(packet.source)",
                                                              priority: Int(advertisement.priority), ours: Int(ours)))
            }
            run(actions)
        case .failure(.virtualRouterID(let vrid)) where siblingVRIDs.contains(vrid):
            return
        case .failure(let rejection):
            dropped(rejection)
        }
    }

    func dropped(_ rejection: AdvertisementRejection) {
        let name = rejection.name
        drops[name, default: 0] += 1
        let now = NIODeadline.now()
        if let last = lastDropPublished[name], now - last < .seconds(1) { return }
        lastDropPublished[name] = now
        environment.bus.post(.vrrpPacketDropped(instance: plan.name, reason: name))
        logger.debug(
            "dropped advertisement",
            metadata: ["reason": "\(name)", "detail": "\(rejection)", "count": "\(drops[name] ?? 0)"])
    }

    // MARK: Actions

    /// Runs the actions in order, except that transitions are announced (bus, notify, sync group)
    /// after the rest of the batch: when MASTER is published the VIPs are in place and the first
    /// advert and gratuitous ARPs are out, as keepalived runs notify_master after setting VIPs.
    func run(_ actions: [VRRPAction]) {
        var transitions: [(VRRPState, VRRPState, TransitionReason)] = []
        for action in actions {
            logger.trace("action", metadata: ["action": "\(action)"])
            switch action {
            case .sendAdvertisement(let priority):
                sendAdvertisement(priority: priority)
            case .armAdvertTimer(let deadline):
                advertTimer?.cancel()
                advertTimer = eventLoop.scheduleTask(deadline: deadline) { [weak self] in
                    guard let self else { return }
                    self.run(self.machine.advertTimerExpired(now: .now()))
                }
            case .cancelAdvertTimer:
                advertTimer?.cancel()
                advertTimer = nil
            case .armMasterDownTimer(let deadline):
                masterDownTimer?.cancel()
                masterDownTimer = eventLoop.scheduleTask(deadline: deadline) { [weak self] in
                    guard let self else { return }
                    self.run(self.machine.masterDownTimerExpired(now: .now()))
                }
            case .cancelMasterDownTimer:
                masterDownTimer?.cancel()
                masterDownTimer = nil
            case .addVirtualAddresses:
                addVirtualAddresses()
            case .removeVirtualAddresses:
                cancelAnnouncements()
                removeVirtualAddresses()
            case .announceVirtualAddresses:
                scheduleAnnouncements()
            case .reannounceVirtualAddresses:
                reannounce()
            case .armAnnouncementRefreshTimer(let deadline):
                refreshTask?.cancel()
                refreshTask = eventLoop.scheduleTask(deadline: deadline) { [weak self] in
                    guard let self else { return }
                    self.run(self.machine.announcementRefreshTimerExpired(now: .now()))
                }
            case .refreshVirtualAddresses:
                announce(times: plan.garpMasterRefreshRepeat)
            case .confirmReachability:
                confirmReachability()
            case .claimWithheld:
                claimWithheld()
            case .transition(let from, let to, let reason):
                transitions.append((from, to, reason))
            }
        }
        for (from, to, reason) in transitions { transitioned(from: from, to: to, reason: reason) }
    }

    func sendAdvertisement(priority: UInt8) {
        guard let socket else { return }
        let advertisement = Advertisement(
            version: plan.version, virtualRouterID: plan.virtualRouterID, priority: priority,
            intervalCentiseconds: validator.intervalCentiseconds, authentication: plan.authentication,
            addresses: plan.advertisedAddresses)
        advertsSent += 1
        for destination in destinations {
            let bytes = AdvertisementCodec.encode(
                advertisement, source: sourceAddress, destination: destination, ipv4ChecksumStyle: plan.checksumStyle)
            do {
                try socket.send(bytes, from: sourceAddress, to: destination)
            } catch {
                logger.warning("cannot send advertisement", metadata: ["error": "\(error)"])
            }
        }
    }

    func addVirtualAddresses() {
        holdsVirtualAddresses = true
        addVirtualAddresses(virtualAddresses)
    }

    func addVirtualAddresses(_ addresses: [InterfaceAddress]) {
        for address in addresses {
            do {
                try environment.addresses.add(address)
            } catch {
                logger.error("cannot add virtual address", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
    }

    /// Before the instance enters BACKUP: a VIP of ours already on this node was left by a run
    /// that died without resigning (SIGKILL, a crash). While it stays, this node answers ARP for
    /// it beside the real master. Each one found is removed and logged.
    func removeStaleVirtualAddresses() {
        let present: [InterfaceAddress]
        do {
            present = try environment.addresses.addresses()
        } catch {
            logger.error("cannot list addresses to find stale virtual addresses", metadata: ["error": "\(error)"])
            removeVirtualAddresses()
            return
        }
        for vip in virtualAddresses
        where present.contains(where: { $0.address == vip.address && $0.interfaceIndex == vip.interfaceIndex }) {
            logger.warning(
                "removing stale virtual address left by an earlier run",
                metadata: [
                    "address": "\(vip.address)/\(vip.prefixLength)",
                    "device": "\(environment.interfaceName(vip.interfaceIndex) ?? "#\(vip.interfaceIndex)")",
                ])
        }
        removeVirtualAddresses()
    }

    /// Removes every VIP; one that is already gone is no error (`AddressTable.remove`).
    func removeVirtualAddresses() {
        holdsVirtualAddresses = false
        removeVirtualAddresses(virtualAddresses)
    }

    func removeVirtualAddresses(_ addresses: [InterfaceAddress]) {
        for address in addresses {
            do {
                try environment.addresses.remove(address)
            } catch {
                logger.error("cannot remove virtual address", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
    }

    func transitioned(from: VRRPState, to: VRRPState, reason: TransitionReason) {
        if from == .master { cancelAnnouncements() }
        transitionsTotal += 1
        transitionHistory.append(
            .init(from: from.rawValue, to: to.rawValue, reason: reason.description, unixMilliseconds: Self.wallClockMilliseconds()))
        if transitionHistory.count > VRRPInstanceStatus.transitionHistoryLimit { transitionHistory.removeFirst() }
        environment.bus.post(
            .vrrpTransition(instance: plan.name, from: from.rawValue, to: to.rawValue, reason: reason.description))
        var fromGroup = false
        if case .syncGroup = reason { fromGroup = true }
        environment.notifier.notify(plan: plan, state: to, priority: machine.priority, includeGroup: !fromGroup)
        syncGroup?.memberMoved(self, from: from, to: to, reason: reason)
    }

    func cancelTimers() {
        advertTimer?.cancel()
        advertTimer = nil
        masterDownTimer?.cancel()
        masterDownTimer = nil
        cancelAnnouncements()
    }

    /// A snapshot for `hactl status`.
    func status() -> VRRPInstanceStatus {
        var status = VRRPInstanceStatus(
            name: plan.name, state: machine.state.rawValue, priority: Int(machine.priority),
            master: machine.masterAddress?.description, faults: tracking.faults, drops: drops,
            accepted: accepted)
        status.basePriority = Int(tracking.basePriority)
        status.terms = tracking.terms.sorted { $0.key < $1.key }.map { name, term in
            switch term {
            case .fault: return .init(name: name, kind: Self.trackerKind(name), value: 0, fault: true)
            case .adds(let value): return .init(name: name, kind: Self.trackerKind(name), value: value, fault: false)
            }
        }
        status.masterPriority = machine.masterPriority.map(Int.init)
        status.virtualAddresses = virtualAddresses.map { address in
            .init(
                address: "\(address.address)/\(address.prefixLength)",
                device: environment.interfaceName(address.interfaceIndex) ?? "#\(address.interfaceIndex)",
                held: holdsVirtualAddresses)
        }
        status.millisecondsSinceLastAdvert = lastAdvertReceivedAt.map { (NIODeadline.now() - $0).nanoseconds / 1_000_000 }
        status.advertsSent = advertsSent
        status.advertsReceived = advertsReceived
        status.transitions = transitionHistory
        status.transitionsTotal = transitionsTotal
        switch machine.operatorHold {
        case nil: status.failoverHold = nil
        case .heldDown: status.failoverHold = .heldDown
        case .forced: status.failoverHold = .forced
        }
        status.witness = witness.map {
            .init(
                address: "\($0.plan.address)", reachable: $0.rounds.witnessReachable, peerReachable: $0.rounds.peerReachable,
                isolated: $0.rounds.isolated)
        }
        return status
    }

    /// "track_script chk" → "track_script"; "interface eth0" → "interface" (the instance's own).
    static func trackerKind(_ name: String) -> String {
        if name.hasPrefix("sync_group") { return "sync_group" }
        if name.hasPrefix("vrrp_witness") { return "vrrp_witness" }
        return String(name.prefix { $0 != " " })
    }

    /// Wall-clock time for display (transition history); no logic reads it.
    static func wallClockMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
