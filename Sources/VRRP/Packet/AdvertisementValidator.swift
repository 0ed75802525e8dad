import Netlink

/// The receive checks of RFC 9568 §7.1 (and RFC 3768 §7.1 for version 2) for one virtual
/// router: a packet either becomes an `Advertisement` for the state machine or a counted
/// `AdvertisementRejection`.
///
/// One deliberate deviation, as keepalived does: the TTL / Hop Limit must be 255 only for an
/// advert sent to a multicast group. A unicast advert (`unicast_peer`) may have crossed a router
/// that decremented it, and keepalived peers configured that way accept it; hactl accepts it too
/// (every other check still applies) and counts it (`acceptedDespiteTTL`).
public struct AdvertisementValidator: Sendable {
    public var version: VRRPVersion
    public var virtualRouterID: UInt8
    /// True for an IPv4 instance, false for IPv6.
    public var ipv4: Bool
    /// Version 2 only: the configured authentication, compared type and data.
    public var authentication: AdvertisementAuthentication
    /// Version 2 only: adverts with another interval are discarded (RFC 3768 §7.1).
    public var intervalCentiseconds: UInt16

    public init(
        version: VRRPVersion, virtualRouterID: UInt8, ipv4: Bool,
        authentication: AdvertisementAuthentication = .none, intervalCentiseconds: UInt16
    ) {
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.ipv4 = ipv4
        self.authentication = authentication
        self.intervalCentiseconds = intervalCentiseconds
    }

    /// The name of the counter an accepted `packet` adds to beside the rejection counters, when it
    /// was accepted despite RFC 9568 §7.1: "unicast_ttl" for a unicast advert whose TTL is not 255.
    public static func acceptedDespiteTTL(_ packet: ReceivedPacket) -> String? {
        packet.ttl != 255 && !packet.destination.isMulticast ? "unicast_ttl" : nil
    }

    /// Runs every check in the order of RFC 9568 §7.1.
    public func validate(_ packet: ReceivedPacket) -> Result<Advertisement, AdvertisementRejection> {
        guard packet.source.isIPv4 == ipv4 else { return .failure(.addressFamily) }
        guard packet.ttl == 255 || !packet.destination.isMulticast else { return .failure(.ttl(packet.ttl)) }
        if packet.payload.count >= 1, packet.payload[0] >> 4 != version.rawValue {
            return .failure(.version(packet.payload[0] >> 4))
        }
        let decoded = AdvertisementCodec.decode(packet.payload, source: packet.source, destination: packet.destination)
        guard case .success(let advertisement) = decoded else { return decoded }
        guard advertisement.virtualRouterID == virtualRouterID else {
            return .failure(.virtualRouterID(advertisement.virtualRouterID))
        }
        guard !advertisement.addresses.isEmpty else { return .failure(.noVirtualAddresses) }
        guard advertisement.intervalCentiseconds != 0 else { return .failure(.zeroInterval) }
        if !ipv4 && !packet.source.isIPv6LinkLocal { return .failure(.sourceNotLinkLocal(packet.source)) }
        if version == .v2 {
            guard advertisement.authentication.typeCode == authentication.typeCode else {
                return .failure(.authenticationType(advertisement.authentication.typeCode))
            }
            guard advertisement.authentication.data == authentication.data else { return .failure(.authenticationFailure) }
            guard advertisement.intervalCentiseconds == intervalCentiseconds else {
                return .failure(
                    .intervalMismatch(received: advertisement.intervalCentiseconds, configured: intervalCentiseconds))
            }
        }
        return .success(advertisement)
    }
}
