public import Netlink

/// Why a received packet was dropped before it reached the state machine
/// (RFC 9568 §7.1, RFC 3768 §7.1). Every rejection is counted and none changes state.
public enum AdvertisementRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// IPv4 TTL or IPv6 Hop Limit is not 255.
    case ttl(UInt8)
    /// Shorter than the fixed VRRP header, or an IP header that cannot be parsed.
    case truncated(length: Int)
    /// The version nibble is not the one the instance speaks.
    case version(UInt8)
    /// The type nibble is not 1 (ADVERTISEMENT).
    case type(UInt8)
    /// The packet is shorter than its address count says.
    case length(expected: Int, actual: Int)
    /// The checksum does not verify (in either IPv4 form for version 3).
    case badChecksum
    /// The VRID is not the one configured on this instance.
    case virtualRouterID(UInt8)
    /// Count IPvX Addr is zero.
    case noVirtualAddresses
    /// Max Adver Int / Adver Int is zero.
    case zeroInterval
    /// IPv6 source is not link-local (RFC 9568 §7.1).
    case sourceNotLinkLocal(IPAddress)
    /// Version 2: the Auth Type differs from the configured one.
    case authenticationType(UInt8)
    /// Version 2: the password differs from the configured one.
    case authenticationFailure
    /// Version 2: the Adver Int differs from the configured one (RFC 3768 §7.1).
    case intervalMismatch(received: UInt16, configured: UInt16)
    /// The packet came over the other IP family than the instance's.
    case addressFamily

    /// A stable short name used as counter key, event reason and log field.
    public var name: String {
        switch self {
        case .ttl: return "ttl"
        case .truncated: return "truncated"
        case .version: return "version"
        case .type: return "type"
        case .length: return "length"
        case .badChecksum: return "checksum"
        case .virtualRouterID: return "vrid"
        case .noVirtualAddresses: return "address_count"
        case .zeroInterval: return "interval_zero"
        case .sourceNotLinkLocal: return "source_not_link_local"
        case .authenticationType: return "auth_type"
        case .authenticationFailure: return "auth_failure"
        case .intervalMismatch: return "interval_mismatch"
        case .addressFamily: return "address_family"
        }
    }

    public var description: String {
        switch self {
        case .ttl(let ttl): return "ttl \(ttl) is not 255"
        case .truncated(let length): return "truncated packet (\(length) bytes)"
        case .version(let version): return "version \(version) is not ours"
        case .type(let type): return "type \(type) is not ADVERTISEMENT"
        case .length(let expected, let actual): return "length \(actual), expected \(expected)"
        case .badChecksum: return "bad checksum"
        case .virtualRouterID(let vrid): return "virtual_router_id \(vrid) is not ours"
        case .noVirtualAddresses: return "address count is zero"
        case .zeroInterval: return "advertisement interval is zero"
        case .sourceNotLinkLocal(let source): return "IPv6 source \(source) is not link-local"
        case .authenticationType(let type): return "auth type \(type) differs from ours"
        case .authenticationFailure: return "wrong password"
        case .intervalMismatch(let received, let configured):
            return "advert_int \(Double(received) / 100)s differs from ours (\(Double(configured) / 100)s)"
        case .addressFamily: return "wrong address family"
        }
    }
}
