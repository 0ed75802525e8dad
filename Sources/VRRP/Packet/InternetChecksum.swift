/// RFC 1071 one's-complement checksum, over the VRRP message and, where the version
/// and family ask for it, the RFC 768 / RFC 8200 §8.1 pseudo-header.
enum InternetChecksum {
    /// The 16-bit one's-complement sum of `chunks` (each padded to even length separately is
    /// not needed: only the last chunk can be odd in VRRP use).
    static func checksum(_ chunks: [[UInt8]]) -> UInt16 {
        var sum: UInt32 = 0
        for chunk in chunks {
            var index = 0
            while index + 1 < chunk.count {
                sum &+= UInt32(chunk[index]) << 8 | UInt32(chunk[index + 1])
                index += 2
            }
            if index < chunk.count { sum &+= UInt32(chunk[index]) << 8 }
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        return ~UInt16(truncatingIfNeeded: sum)
    }
}
