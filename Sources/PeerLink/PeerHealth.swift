import FoundationEssentials

/// What one node tells its peer every heartbeat: its proxy verdict and, per VRRP instance, its
/// state and effective priority. Never configuration.
public struct PeerHealth: Sendable, Hashable, Codable {
    public struct Instance: Sendable, Hashable, Codable {
        public var name: String
        /// "MASTER", "BACKUP", "FAULT", "INIT".
        public var state: String
        public var priority: Int

        public init(name: String, state: String, priority: Int) {
            self.name = name
            self.state = state
            self.priority = priority
        }
    }

    public var node: String
    public var proxyUp: Bool
    public var proxyReason: String
    public var instances: [Instance]
    /// The operator's server overrides as this node knows them (`OverrideLedger.report`): sent
    /// with every report, so a peer that (re)connects receives them with the first one. Nil
    /// from a node that predates state sync.
    public var overrides: [SyncedOverride]?

    public init(node: String, proxyUp: Bool, proxyReason: String = "", instances: [Instance] = [], overrides: [SyncedOverride]? = nil) {
        self.node = node
        self.proxyUp = proxyUp
        self.proxyReason = proxyReason
        self.instances = instances
        self.overrides = overrides
    }

    /// The names of the instances the report says are MASTER.
    public var masterInstances: Set<String> { Set(instances.filter { $0.state == "MASTER" }.map(\.name)) }

    public func encoded() -> [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    public static func decode(_ bytes: [UInt8]) -> PeerHealth? { try? JSONDecoder().decode(PeerHealth.self, from: Data(bytes)) }
}
