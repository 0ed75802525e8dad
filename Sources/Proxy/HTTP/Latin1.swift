/// HTTP heads as the proxy keeps them: one byte per `Unicode.Scalar` (ISO-8859-1), so obs-text
/// survives the trip from the wire into a `String` and back byte for byte.
extension String {
    /// Decodes bytes one scalar per byte (ISO-8859-1), so every byte survives a round trip.
    init(latin1 bytes: UnsafeRawBufferPointer) {
        if !bytes.contains(where: { $0 >= 0x80 }) {
            self = String(decoding: bytes, as: UTF8.self)
        } else {
            var scalars = String.UnicodeScalarView()
            for b in bytes { scalars.append(Unicode.Scalar(b)) }
            self = String(scalars)
        }
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Copies each scalar of `string` as one byte at `at` (the inverse of `String(latin1:)`).
    /// The caller has made room: a string's UTF-8 length is never less than its Latin-1 length.
    @inline(__always)
    func copyLatin1(_ string: String, at: inout Int) {
        let start = at
        let copied: Int? = string.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var high: UInt8 = 0
            for b in bytes { high |= b }
            guard high < 0x80 else { return -1 }
            (baseAddress! + start).copyMemory(from: base, byteCount: bytes.count)
            return bytes.count
        }
        if let copied, copied >= 0 {
            at += copied
            return
        }
        for scalar in string.unicodeScalars {
            self[at] = UInt8(truncatingIfNeeded: scalar.value)
            at += 1
        }
    }
}

extension UnsafeRawBufferPointer {
    /// ASCII case-insensitive equality of two byte strings (HTTP names and tokens).
    func equalsIgnoringASCIICase(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        for i in 0..<count {
            let a = self[i], b = other[i]
            if a != b, a | 0x20 != b | 0x20 || !(a | 0x20 >= 0x61 && a | 0x20 <= 0x7A) { return false }
        }
        return true
    }
}
