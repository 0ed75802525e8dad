public import Netlink

/// Which checksum a version 3 IPv4 advertisement carries. RFC 5798 covered the IPv4
/// pseudo-header and keepalived sends it by default; keepalived's `v3_checksum_as_v2`
/// covers the VRRP message only, as some other implementations do. IPv6 always includes it.
public enum IPv4ChecksumStyle: Sendable, Hashable {
    case pseudoHeader
    case vrrpMessageOnly
}

/// Encodes and decodes VRRP messages (RFC 9568 §5.1, RFC 3768 §5.1). The IP header itself is
/// the socket's business; the source and destination enter only the pseudo-header.
public enum AdvertisementCodec {
    /// The IP protocol number of VRRP (RFC 9568 §5.1.1.4).
    public static let ipProtocol: UInt8 = 112
    /// The fixed header: version/type, VRID, priority, count, interval, checksum.
    public static let headerLength = 8
    /// RFC 3768 §5.3.6: version 2 carries 8 octets of authentication data after the addresses.
    public static let v2AuthenticationLength = 8

    /// The message bytes for `advertisement` sent from `source` to `destination`.
    public static func encode(
        _ advertisement: Advertisement,
        source: IPAddress,
        destination: IPAddress,
        ipv4ChecksumStyle: IPv4ChecksumStyle = .pseudoHeader
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(advertisement.version.rawValue << 4 | 1)
        bytes.append(advertisement.virtualRouterID)
        bytes.append(advertisement.priority)
        bytes.append(UInt8(truncatingIfNeeded: advertisement.addresses.count))
        switch advertisement.version {
        case .v3:
            let interval = advertisement.intervalCentiseconds & 0x0FFF
            bytes.append(UInt8(interval >> 8))
            bytes.append(UInt8(truncatingIfNeeded: interval))
        case .v2:
            bytes.append(advertisement.authentication.typeCode)
            bytes.append(UInt8(clamping: advertisement.intervalCentiseconds / 100))
        }
        bytes.append(0)
        bytes.append(0)
        for address in advertisement.addresses { bytes.append(contentsOf: address.bytes) }
        if advertisement.version == .v2 { bytes.append(contentsOf: advertisement.authentication.data) }

        let includePseudoHeader = includesPseudoHeader(
            version: advertisement.version, ipv4: source.isIPv4, style: ipv4ChecksumStyle)
        let sum = checksum(bytes, source: source, destination: destination, pseudoHeader: includePseudoHeader)
        bytes[6] = UInt8(sum >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: sum)
        return bytes
    }

    /// Parses and verifies the structure and checksum of a message. Version 3 over IPv4 is
    /// accepted with either checksum style; semantic checks (VRID, TTL, auth) are the validator's.
    public static func decode(
        _ bytes: [UInt8],
        source: IPAddress,
        destination: IPAddress
    ) -> Result<Advertisement, AdvertisementRejection> {
        guard bytes.count >= headerLength else { return .failure(.truncated(length: bytes.count)) }
        let versionNibble = bytes[0] >> 4
        guard let version = VRRPVersion(rawValue: versionNibble) else { return .failure(.version(versionNibble)) }
        let type = bytes[0] & 0x0F
        guard type == 1 else { return .failure(.type(type)) }
        if version == .v2 && !source.isIPv4 { return .failure(.version(versionNibble)) }

        let count = Int(bytes[3])
        let addressLength = source.isIPv4 ? 4 : 16
        let expected = headerLength + count * addressLength + (version == .v2 ? v2AuthenticationLength : 0)
        guard bytes.count >= expected else { return .failure(.length(expected: expected, actual: bytes.count)) }
        let message = Array(bytes[0..<expected])

        let withPseudo = includesPseudoHeader(version: version, ipv4: source.isIPv4, style: .pseudoHeader)
        var verified = checksum(message, source: source, destination: destination, pseudoHeader: withPseudo) == 0
        if !verified && version == .v3 && source.isIPv4 {
            verified = checksum(message, source: source, destination: destination, pseudoHeader: false) == 0
        }
        guard verified else { return .failure(.badChecksum) }

        var addresses: [IPAddress] = []
        var offset = headerLength
        for _ in 0..<count {
            if let address = IPAddress(bytes: message[offset..<offset + addressLength]) { addresses.append(address) }
            offset += addressLength
        }
        let interval: UInt16
        var authentication = AdvertisementAuthentication.none
        switch version {
        case .v3:
            interval = (UInt16(message[4] & 0x0F) << 8) | UInt16(message[5])
        case .v2:
            interval = UInt16(message[5]) * 100
            let data = Array(message[offset..<offset + v2AuthenticationLength])
            switch message[4] {
            case 0: authentication = .none
            case 1:
                var password = data
                while password.last == 0 { password.removeLast() }
                authentication = .password(password)
            default: return .failure(.authenticationType(message[4]))
            }
        }
        return .success(
            Advertisement(
                version: version, virtualRouterID: message[1], priority: message[2],
                intervalCentiseconds: interval, authentication: authentication, addresses: addresses))
    }

    static func includesPseudoHeader(version: VRRPVersion, ipv4: Bool, style: IPv4ChecksumStyle) -> Bool {
        switch version {
        case .v2: return false
        case .v3: return !ipv4 || style == .pseudoHeader
        }
    }

    static func checksum(_ message: [UInt8], source: IPAddress, destination: IPAddress, pseudoHeader: Bool) -> UInt16 {
        guard pseudoHeader else { return InternetChecksum.checksum([message]) }
        let length = message.count
        let pseudo: [UInt8]
        if source.isIPv4 {
            pseudo = source.bytes + destination.bytes + [0, ipProtocol, UInt8(length >> 8), UInt8(truncatingIfNeeded: length)]
        } else {
            pseudo = source.bytes + destination.bytes
                + [0, 0, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), 0, 0, 0, ipProtocol]
        }
        return InternetChecksum.checksum([pseudo, message])
    }
}
