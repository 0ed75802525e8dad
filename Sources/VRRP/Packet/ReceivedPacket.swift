public import Netlink

/// A VRRP message as a socket delivered it, with the IP fields the receive checks need
/// (RFC 9568 §7.1: TTL / Hop Limit, source, destination).
public struct ReceivedPacket: Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    /// IPv4 TTL or IPv6 Hop Limit.
    public var ttl: UInt8
    /// The VRRP message (no IP header).
    public var payload: [UInt8]

    public init(source: IPAddress, destination: IPAddress, ttl: UInt8, payload: [UInt8]) {
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.payload = payload
    }

    /// Parses what a raw IPv4 socket delivers: the IPv4 header followed by the VRRP message.
    public static func parsingIPv4(_ datagram: [UInt8]) -> Result<ReceivedPacket, AdvertisementRejection> {
        guard datagram.count >= 20, datagram[0] >> 4 == 4 else { return .failure(.truncated(length: datagram.count)) }
        let headerLength = Int(datagram[0] & 0x0F) * 4
        let totalLength = Int(datagram[2]) << 8 | Int(datagram[3])
        guard headerLength >= 20, datagram.count >= headerLength else {
            return .failure(.truncated(length: datagram.count))
        }
        // The kernel may report the total length in either order or include padding; trust
        // the smaller of the header's total length and what arrived.
        let end = totalLength >= headerLength && totalLength <= datagram.count ? totalLength : datagram.count
        guard let source = IPAddress(bytes: datagram[12..<16]),
            let destination = IPAddress(bytes: datagram[16..<20])
        else { return .failure(.truncated(length: datagram.count)) }
        return .success(
            ReceivedPacket(
                source: source, destination: destination, ttl: datagram[8],
                payload: Array(datagram[headerLength..<end])))
    }
}
