import Glibc

/// An IPv4 or IPv6 address as VRRP and netlink see it: raw bytes in network order,
/// ordered as the unsigned integer comparison RFC 9568 §6.4.3 uses for the tie-break.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// An IPv4 address; the integer holds the address in host order (198.18.0.1 = 0xC6120001).
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves in host order (high, low).
    case v6(UInt64, UInt64)

    /// Parses dotted-quad IPv4 or RFC 5952 IPv6 text; nil when the text is neither.
    public init?(_ text: String) {
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: storage) { Array($0) }
            self.init(bytes: bytes)
        } else {
            var storage = in_addr()
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            self = .v4(UInt32(bigEndian: storage.s_addr))
        }
    }

    /// Builds an address from 4 or 16 bytes in network order; nil for any other length.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        switch array.count {
        case 4:
            self = .v4(array.reduce(0) { ($0 << 8) | UInt32($1) })
        case 16:
            let high = array[0..<8].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            let low = array[8..<16].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            self = .v6(high, low)
        default:
            return nil
        }
    }

    /// The address in network byte order (4 or 16 bytes).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            let first = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            let second = (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
            return first + second
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// RFC 4291 §2.5.6: fe80::/10.
    public var isIPv6LinkLocal: Bool {
        if case .v6(let high, _) = self { return high >> 54 == 0x3FA }
        return false
    }

    /// IPv4 224.0.0.0/4 or IPv6 ff00::/8.
    public var isMulticast: Bool {
        switch self {
        case .v4(let value): return value >> 28 == 0xE
        case .v6(let high, _): return high >> 56 == 0xFF
        }
    }

    /// The address family constant (AF_INET or AF_INET6).
    public var family: Int32 { isIPv4 ? AF_INET : AF_INET6 }

    public var description: String {
        let bytes = self.bytes
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = self.family
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v6(let ah, let al), .v6(let bh, let bl)): return (ah, al) < (bh, bl)
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}
