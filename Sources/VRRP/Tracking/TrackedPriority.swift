/// keepalived's tracking arithmetic for one instance: every tracked object (vrrp_script,
/// track_interface, track_file, the proxy, a sync-group peer in FAULT) contributes a weight or
/// a FAULT; the result is the effective priority, clamped to 1–254, an owner's 255 untouched.
///
/// - weight 0: the object down means FAULT.
/// - weight < 0: the object down subtracts |weight|.
/// - weight > 0: the object up adds weight.
/// - track_file: the file's value times the weight is added; with weight 0 a non-zero value is FAULT.
public struct TrackedPriority: Sendable, Hashable {
    /// One tracked object's current verdict.
    public enum Contribution: Sendable, Hashable {
        /// Up/down with a keepalived weight (scripts, interfaces, the proxy).
        case status(up: Bool, weight: Int)
        /// A track_file value with its weight.
        case fileValue(Int, weight: Int)
    }

    public let basePriority: UInt8
    public private(set) var contributions: [String: Contribution] = [:]

    public init(basePriority: UInt8) {
        self.basePriority = basePriority
    }

    public mutating func set(_ tracker: String, _ contribution: Contribution) {
        contributions[tracker] = contribution
    }

    /// The trackers holding the instance in FAULT, sorted, e.g. ["track_script chk_gw"].
    public var faults: [String] {
        contributions.compactMap { name, contribution -> String? in
            switch contribution {
            case .status(let up, let weight): return !up && weight == 0 ? name : nil
            case .fileValue(let value, let weight): return weight == 0 && value != 0 ? name : nil
            }
        }.sorted()
    }

    /// The priority adverts carry.
    public var effectivePriority: UInt8 {
        if basePriority == 255 { return 255 }
        var total = Int(basePriority)
        for contribution in contributions.values {
            switch contribution {
            case .status(let up, let weight):
                if weight < 0 && !up { total += weight }
                if weight > 0 && up { total += weight }
            case .fileValue(let value, let weight):
                total += value * weight
            }
        }
        return UInt8(min(254, max(1, total)))
    }
}
