package import NIOCore

/// An address block `ADDR/LEN` (IPv4 or IPv6), as in `acl ... src 10.0.0.0/8` and
/// `option forwardfor except 127.0.0.0/8`.
package struct CIDR: Sendable, Hashable {
    package let bytes: [UInt8]
    package let prefixLength: Int

    /// Parses `10.0.0.0/8`, `::1/128`, or a bare address (full length).
    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = try? SocketAddress(ipAddress: String(first), port: 0) else { return nil }
        let bytes = Self.addressBytes(address)
        let maxLength = bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), length >= 0, length <= maxLength else { return nil }
            prefixLength = length
        } else {
            prefixLength = maxLength
        }
        self.bytes = bytes
    }

    package func contains(_ address: SocketAddress) -> Bool {
        var candidate = Self.addressBytes(address)
        // An IPv4-mapped IPv6 address matches IPv4 blocks.
        if bytes.count == 4, candidate.count == 16, candidate[0..<10].allSatisfy({ $0 == 0 }),
           candidate[10] == 0xFF, candidate[11] == 0xFF {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        var remaining = prefixLength
        for i in 0..<bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if candidate[i] & mask != bytes[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func addressBytes(_ address: SocketAddress) -> [UInt8] {
        switch address {
        case .v4(let v4):
            let raw = v4.address.sin_addr.s_addr  // network byte order in memory
            return withUnsafeBytes(of: raw) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default:
            return []
        }
    }
}
