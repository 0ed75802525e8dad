public import HACore

/// HAProxy's `peers NAME` section, read by hactl as the description of its pair: the hactl nodes
/// that open the authenticated peer channel to each other (crash detection, health exchange).
/// The section is identical on every node; each node finds itself by `localpeer NAME` in
/// `global`, or else by the peer whose address is one of its own.
///
/// hactl's own keyword in the section, `peer-key FILE`, names the shared secret that
/// authenticates every message (HMAC-SHA256). The channel never carries configuration.
public struct PeersConfig: Sendable, Equatable, Hashable {
    /// `peer NAME ADDRESS:PORT`: one node of the pair, where its channel listens.
    public struct Peer: Sendable, Equatable, Hashable {
        public var name: String
        /// An IPv4 or IPv6 literal.
        public var address: String
        public var port: Int
        public var location: SourceLocation

        public init(name: String, address: String, port: Int, location: SourceLocation = .builtIn) {
            self.name = name
            self.address = address
            self.port = port
            self.location = location
        }
    }

    public var name: String
    public var peers: [Peer]
    /// `peer-key FILE` (hactl): the shared key; at least 16 bytes of secret, read at start.
    public var keyFile: String?
    public var location: SourceLocation

    public init(name: String, peers: [Peer] = [], keyFile: String? = nil, location: SourceLocation = .builtIn) {
        self.name = name
        self.peers = peers
        self.keyFile = keyFile
        self.location = location
    }

    /// The peer called `name`.
    public func peer(named name: String) -> Peer? { peers.first { $0.name == name } }
}
