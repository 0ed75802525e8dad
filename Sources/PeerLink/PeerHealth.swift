import Foundation

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

    public init(node: String, proxyUp: Bool, proxyReason: String = "", instances: [Instance] = []) {
        self.node = node
        self.proxyUp = proxyUp
        self.proxyReason = proxyReason
        self.instances = instances
    }

    /// The names of the instances the report says are MASTER.
    public var masterInstances: Set<String> { Set(instances.filter { $0.state == "MASTER" }.map(\.name)) }

    func encoded() -> [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    static func decode(_ bytes: [UInt8]) -> PeerHealth? { try? JSONDecoder().decode(PeerHealth.self, from: Data(bytes)) }
}
