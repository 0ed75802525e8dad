/// hactl's `vrrp_witness` isolation verdict as a pure value, one probe round at a time.
///
/// Each round (every `interval`) the shell reports what it heard: the witness answered an echo,
/// the peer answered one, an advert from another router arrived, the peer link was up. The node
/// counts as reaching its peer on any of the last three (a MASTER hears no adverts from its
/// backup, hence the echo and the link). A round in which neither the peer nor the witness was
/// reached is a failed round; after `fall` failed rounds in a row the node is isolated (the
/// shell records a weight-0 tracker in FAULT), after `rise` good rounds it is not any more.
/// The witness lost alone changes nothing: the peer still answers.
public struct WitnessRounds: Sendable, Hashable {
    /// What one probe round heard, as the shell saw it.
    public struct Round: Sendable, Hashable {
        public var witnessAnswered: Bool
        public var peerAnswered: Bool
        public var advertHeard: Bool
        public var peerLinkUp: Bool

        public init(witnessAnswered: Bool, peerAnswered: Bool, advertHeard: Bool = false, peerLinkUp: Bool = false) {
            self.witnessAnswered = witnessAnswered
            self.peerAnswered = peerAnswered
            self.advertHeard = advertHeard
            self.peerLinkUp = peerLinkUp
        }

        public var peerReached: Bool { peerAnswered || advertHeard || peerLinkUp }
        public var anyReached: Bool { peerReached || witnessAnswered }
    }

    /// What changed at the end of a round, for the shell to record and log.
    public struct Change: Sendable, Hashable {
        /// The isolation verdict flipped (nil: unchanged).
        public var isolated: Bool?
        /// Whether the witness answered flipped (nil: unchanged); logged, no effect alone.
        public var witnessReachable: Bool?
        /// Whether the peer was reached flipped (nil: unchanged); logged, no effect alone.
        public var peerReachable: Bool?
    }

    private var counter: RiseFallCounter
    public private(set) var witnessReachable = true
    public private(set) var peerReachable = true

    public init(rise: Int, fall: Int) {
        counter = RiseFallCounter(rise: rise, fall: fall)
        // A node starts as not isolated: only `fall` failed rounds make it so.
        _ = counter.record(success: true)
    }

    public var isolated: Bool { counter.isUp == false }

    public mutating func roundEnded(_ round: Round) -> Change {
        var change = Change()
        if round.witnessAnswered != witnessReachable {
            witnessReachable = round.witnessAnswered
            change.witnessReachable = witnessReachable
        }
        if round.peerReached != peerReachable {
            peerReachable = round.peerReached
            change.peerReachable = peerReachable
        }
        if let verdict = counter.record(success: round.anyReached) { change.isolated = !verdict }
        return change
    }
}
