public import Netlink

/// One VRRP ADVERTISEMENT as it travels on the wire: RFC 9568 §5.1 (version 3) and
/// RFC 3768 §5.1 (version 2, IPv4 only, with an authentication field).
public struct Advertisement: Hashable, Sendable {
    /// Protocol version (the high nibble of the first byte).
    public var version: VRRPVersion
    /// VRID, 1–255 (RFC 9568 §5.2.3).
    public var virtualRouterID: UInt8
    /// Sender's priority: 255 owner, 1–254 backup, 0 "stop participating" (RFC 9568 §5.2.4).
    public var priority: UInt8
    /// The advertisement interval in centiseconds: v3 Max Adver Int (12 bits),
    /// v2 Adver Int in whole seconds times 100.
    public var intervalCentiseconds: UInt16
    /// RFC 3768 §5.3.6 authentication (version 2 only; ignored for version 3).
    public var authentication: AdvertisementAuthentication
    /// The virtual addresses (RFC 9568 §5.2.9), all of one family.
    public var addresses: [IPAddress]

    public init(
        version: VRRPVersion,
        virtualRouterID: UInt8,
        priority: UInt8,
        intervalCentiseconds: UInt16,
        authentication: AdvertisementAuthentication = .none,
        addresses: [IPAddress]
    ) {
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.intervalCentiseconds = intervalCentiseconds
        self.authentication = authentication
        self.addresses = addresses
    }
}

/// RFC 3768 §5.3.6 authentication types; keepalived's `auth_type PASS|AH`.
public enum AdvertisementAuthentication: Hashable, Sendable {
    /// Type 0: no authentication.
    case none
    /// Type 1: a clear-text password of at most 8 bytes, zero padded (keepalived `auth_type PASS`).
    case password([UInt8])

    /// The Auth Type octet.
    public var typeCode: UInt8 {
        switch self {
        case .none: return 0
        case .password: return 1
        }
    }

    /// The 8 Authentication Data octets as sent.
    public var data: [UInt8] {
        switch self {
        case .none: return [UInt8](repeating: 0, count: 8)
        case .password(let bytes):
            let prefix = Array(bytes.prefix(8))
            return prefix + [UInt8](repeating: 0, count: 8 - prefix.count)
        }
    }

    /// A password as keepalived reads `auth_pass`: its first 8 bytes.
    public static func password(_ text: String) -> AdvertisementAuthentication {
        .password(Array(text.utf8.prefix(8)))
    }
}
