import CTLS

/// HMAC-SHA256 (RFC 2104 with FIPS 180-4 SHA-256) and fresh random bytes from libcrypto: what the
/// peer link authenticates its messages with. The rest of hactl reaches OpenSSL only through here.
public enum MessageAuthentication {
    /// The length of an HMAC-SHA256 tag.
    public static let tagLength = 32

    /// HMAC-SHA256 of the concatenation of `parts` under `key`.
    public static func hmacSHA256(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        hmacSHA256(key: key, parts: parts)
    }

    /// HMAC-SHA256 of the concatenation of `parts` under `key`.
    public static func hmacSHA256(key: [UInt8], parts: [[UInt8]]) -> [UInt8] {
        let message = parts.flatMap { $0 }
        var tag = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                tag.withUnsafeMutableBufferPointer { out in
                    HMAC(
                        EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), messageBytes.baseAddress, messageBytes.count,
                        out.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && length == UInt32(tagLength), "HMAC-SHA256 failed in libcrypto")
        return Array(tag.prefix(Int(length)))
    }

    /// Compares two tags in time that does not depend on where they differ (`CRYPTO_memcmp`).
    public static func tagsEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }

    /// `count` bytes from OpenSSL's CSPRNG (`RAND_bytes`).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed")
        return bytes
    }
}
