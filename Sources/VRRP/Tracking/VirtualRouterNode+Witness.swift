import Glibc
import NIOCore
import Netlink

/// The shell of `vrrp_witness`: every `interval` it closes a probe round (what answered, fed
/// to `WitnessRounds`, whose verdict is a weight-0 tracker) and opens the next one by sending
/// an ICMP echo to the witness and to the peer's addresses; on `.confirmReachability` it sends
/// one more and answers the state machine when the first reply arrives or `interval` passes.
extension VirtualRouterNode {
    /// The loop-confined state of the witness probe.
    struct WitnessWatch {
        var plan: InstancePlan.Witness
        var socket: EchoProbeSocket
        var rounds: WitnessRounds
        var nextSequence: UInt16 = 1
        var roundSequence: UInt16 = 0
        var roundAnswers: Set<IPAddress> = []
        var advertsAtRoundStart = 0
        var confirmation: (sequence: UInt16, timeout: Scheduled<Void>)?
        var peerLinkUp = false
        /// The round timer; not among `trackerTasks`, which a reload of the trackers restarts.
        var task: RepeatedTask?

        /// The witness and the peer addresses that are not ours.
        func targets(excluding own: Set<IPAddress>) -> [IPAddress] {
            [plan.address] + plan.peers.filter { !own.contains($0) }
        }

        mutating func allocateSequence() -> UInt16 {
            defer { nextSequence = nextSequence &+ 1 == 0 ? 1 : nextSequence &+ 1 }
            return nextSequence
        }
    }

    var witnessTrackerName: String? { plan.witness.map { "vrrp_witness \($0.address)" } }

    func startWitness() throws {
        guard let witnessPlan = plan.witness, let name = witnessTrackerName else { return }
        let identifier = UInt16(truncatingIfNeeded: getpid()) ^ (UInt16(plan.virtualRouterID) << 8)
        let socket = try EchoProbeSocket(interface: interface, identifier: identifier)
        witness = WitnessWatch(plan: witnessPlan, socket: socket, rounds: WitnessRounds(rise: witnessPlan.rise, fall: witnessPlan.fall))
        let loop = eventLoop
        try socket.startReceiving { [weak self] source, sequence in
            guard let node = self else { return }
            loop.execute { node.echoReplied(from: source, sequence: sequence) }
        }
        tracking.set(name, .status(up: true, weight: 0))
        logger.info(
            "witness probing",
            metadata: [
                "witness": "\(witnessPlan.address)", "peers": "\(witnessPlan.peers.map(\.description).joined(separator: ","))",
                "interval": "\(witnessPlan.interval)", "fall": "\(witnessPlan.fall)", "rise": "\(witnessPlan.rise)",
            ])
        let interval = TimeAmount(witnessPlan.interval)
        openWitnessRound()
        let task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in
            guard let self, !self.stopped else { return }
            self.closeWitnessRound()
            self.openWitnessRound()
        }
        witness?.task = task
    }

    func stopWitness() {
        witness?.task?.cancel()
        witness?.confirmation?.timeout.cancel()
        witness?.socket.close()
        witness = nil
    }

    func openWitnessRound() {
        guard var watch = witness else { return }
        let sequence = watch.allocateSequence()
        watch.roundSequence = sequence
        watch.roundAnswers = []
        watch.advertsAtRoundStart = advertsReceived
        witness = watch
        sendEcho(sequence: sequence, watch: watch)
    }

    func closeWitnessRound() {
        guard var watch = witness, let name = witnessTrackerName else { return }
        let round = WitnessRounds.Round(
            witnessAnswered: watch.roundAnswers.contains(watch.plan.address),
            peerAnswered: !watch.roundAnswers.subtracting([watch.plan.address]).isEmpty,
            advertHeard: advertsReceived > watch.advertsAtRoundStart, peerLinkUp: watch.peerLinkUp)
        let change = watch.rounds.roundEnded(round)
        witness = watch
        if let reachable = change.witnessReachable {
            if reachable {
                logger.notice("witness answers again", metadata: ["witness": "\(watch.plan.address)"])
            } else {
                logger.warning(
                    "witness lost", metadata: ["witness": "\(watch.plan.address)", "peer": "\(round.peerReached ? "reachable" : "unreachable")"])
            }
        }
        if let reachable = change.peerReachable {
            logger.notice(
                reachable ? "peer reachable again" : "peer unreachable",
                metadata: ["witness": "\(round.witnessAnswered ? "reachable" : "unreachable")"])
        }
        if let isolated = change.isolated {
            let reason =
                isolated
                ? "neither the peer nor the witness \(watch.plan.address) answered for \(watch.plan.fall) rounds"
                : "the \(round.peerReached ? "peer" : "witness \(watch.plan.address)") answers again"
            setTracker(name, .status(up: !isolated, weight: 0), reason: reason)
        }
    }

    func sendEcho(sequence: UInt16, watch: WitnessWatch) {
        for target in watch.targets(excluding: ownAddresses.union([sourceAddress])) {
            do {
                try watch.socket.send(to: target, sequence: sequence)
            } catch {
                // An unreachable network is an unanswered probe; the round counts it as such.
                logger.debug("cannot send witness probe", metadata: ["to": "\(target)", "error": "\(error)"])
            }
        }
    }

    func echoReplied(from source: IPAddress, sequence: UInt16) {
        guard !stopped, var watch = witness else { return }
        if sequence == watch.roundSequence { watch.roundAnswers.insert(source) }
        if let confirmation = watch.confirmation, confirmation.sequence == sequence {
            confirmation.timeout.cancel()
            watch.confirmation = nil
            witness = watch
            logger.info("claim confirmed", metadata: ["answered": "\(source)"])
            run(machine.reachabilityConfirmed(now: .now()))
            return
        }
        witness = watch
    }

    /// `.confirmReachability`: one echo to the witness and the peer; the first reply confirms.
    func confirmReachability() {
        guard var watch = witness else {
            // No witness configured (cannot happen: only then does the machine ask): claim.
            return run(machine.reachabilityConfirmed(now: .now()))
        }
        watch.confirmation?.timeout.cancel()
        let sequence = watch.allocateSequence()
        let timeout = eventLoop.scheduleTask(in: TimeAmount(watch.plan.interval)) { [weak self] in
            guard let self, !self.stopped else { return }
            self.witness?.confirmation = nil
            self.run(self.machine.reachabilityUnconfirmed(now: .now()))
        }
        watch.confirmation = (sequence, timeout)
        witness = watch
        sendEcho(sequence: sequence, watch: watch)
    }

    func claimWithheld() {
        guard let watch = witness else { return }
        logger.warning(
            "not claiming MASTER: neither the peer nor the witness answered (this node may be the one cut off)",
            metadata: [
                "witness": "\(watch.plan.address)", "peers": "\(watch.plan.peers.map(\.description).joined(separator: ","))",
            ])
    }

    func peerLinkChanged(up: Bool) {
        witness?.peerLinkUp = up
    }
}
