public import HACore

/// keepalived's tracking arithmetic for one instance: every tracked object (vrrp_script,
/// track_interface, track_file, the proxy, a sync-group peer in FAULT) contributes a term —
/// a number added to the priority, or FAULT; the result is the effective priority, clamped to
/// 1–254, an owner's 255 untouched (keepalived.conf(5), "Track files" and `track_script`).
///
/// - weight 0: the object down means FAULT.
/// - weight < 0: the object down subtracts |weight|.
/// - weight > 0: the object up adds weight.
/// - track_file: the file's value times the weight is added; a product below −253 is FAULT,
///   and with weight 0 any non-zero value is FAULT.
/// - a sync-group peer with a fault of its own holds this member in FAULT; that FAULT is the
///   group's, not this member's (`ownFaults`), so it is never passed back to the peer.
public struct TrackedPriority: Sendable, Hashable {
    /// One tracked object's current verdict.
    public enum Contribution: Sendable, Hashable {
        /// Up/down with a keepalived weight (scripts, interfaces, the proxy).
        case status(up: Bool, weight: Int)
        /// A track_file value with its weight.
        case fileValue(Int, weight: Int)
        /// vrrp_sync_group: another member is (or is no longer) in FAULT of its own.
        case syncGroupPeer(inFault: Bool)
    }

    /// What one contribution does to the priority.
    public enum Term: Sendable, Hashable, CustomStringConvertible {
        /// The instance cannot run: FAULT.
        case fault
        /// Added to the base priority (0: no effect).
        case adds(Int)

        public var description: String {
            switch self {
            case .fault: return "FAULT"
            case .adds(let value): return value > 0 ? "+\(value)" : "\(value)"
            }
        }
    }

    /// What a new verdict of one tracker did, compared with its previous term.
    public typealias Effect = TrackerChange.Effect

    /// One tracker's change as logged: its term before and after, and the priority it leaves.
    public struct Change: Sendable, Hashable {
        public var tracker: String
        public var previous: Term?
        public var term: Term
        public var effect: Effect
        public var basePriority: UInt8
        public var effectivePriority: UInt8
        /// Every tracker's term after the change.
        public var terms: [String: Term]

        /// The event published for it: effect, base and effective priority, every term by name.
        public func event(instance: String, reason: String) -> TrackerChange {
            TrackerChange(
                instance: instance, tracker: tracker, reason: reason, effect: effect, basePriority: Int(basePriority),
                priority: Int(effectivePriority),
                terms: terms.sorted { $0.key < $1.key }.map { .init(tracker: $0.key, value: $0.value.description) })
        }
    }

    /// keepalived.conf(5): a track_file result below this is FAULT.
    public static let lowestTerm = -253

    public let basePriority: UInt8
    public private(set) var contributions: [String: Contribution] = [:]

    public init(basePriority: UInt8) {
        self.basePriority = basePriority
    }

    /// Records `tracker`'s verdict; returns what it changed (for the log).
    @discardableResult
    public mutating func set(_ tracker: String, _ contribution: Contribution) -> Change {
        let previous = contributions[tracker].map(Self.term(of:))
        contributions[tracker] = contribution
        let term = Self.term(of: contribution)
        return Change(
            tracker: tracker, previous: previous, term: term, effect: Self.effect(from: previous ?? .adds(0), to: term),
            basePriority: basePriority, effectivePriority: effectivePriority, terms: terms)
    }

    /// The term a contribution adds, per keepalived.conf(5).
    public static func term(of contribution: Contribution) -> Term {
        switch contribution {
        case .status(let up, let weight):
            if weight == 0 { return up ? .adds(0) : .fault }
            if weight < 0 { return .adds(up ? 0 : weight) }
            return .adds(up ? weight : 0)
        case .fileValue(let value, let weight):
            if weight == 0 { return value == 0 ? .adds(0) : .fault }
            let (product, overflow) = value.multipliedReportingOverflow(by: weight)
            let result = overflow ? ((value < 0) != (weight < 0) ? Int.min : Int.max) : product
            // Bounded above only so that a sum of terms cannot overflow; 254 is the ceiling anyway.
            return result < lowestTerm ? .fault : .adds(min(result, Int(UInt16.max)))
        case .syncGroupPeer(let inFault):
            return inFault ? .fault : .adds(0)
        }
    }

    static func effect(from previous: Term, to term: Term) -> Effect {
        switch (previous, term) {
        case (.fault, .fault): return .none
        case (_, .fault): return .fault
        case (.fault, _): return .faultCleared
        case (.adds(let old), .adds(let new)):
            if new < old { return .lowersPriority }
            if new > old { return new == 0 ? .restoresPriority : .raisesPriority }
            return .none
        }
    }

    /// Every tracker's current term.
    public var terms: [String: Term] { contributions.mapValues(Self.term(of:)) }

    /// The trackers holding the instance in FAULT, sorted, e.g. ["track_script chk_gw"].
    public var faults: [String] {
        contributions.compactMap { name, contribution in Self.term(of: contribution) == .fault ? name : nil }.sorted()
    }

    /// The faults of this instance's own trackers, not those a sync-group peer imposes: what a
    /// vrrp_sync_group passes on to the other members.
    public var ownFaults: [String] {
        contributions.compactMap { name, contribution -> String? in
            if case .syncGroupPeer = contribution { return nil }
            return Self.term(of: contribution) == .fault ? name : nil
        }.sorted()
    }

    /// The priority adverts carry.
    public var effectivePriority: UInt8 {
        if basePriority == 255 { return 255 }
        var total = Int(basePriority)
        for contribution in contributions.values {
            if case .adds(let value) = Self.term(of: contribution) { total += value }
        }
        return UInt8(min(254, max(1, total)))
    }
}
