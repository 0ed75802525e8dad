package import NIOCore

/// Writes request and response heads in HTTP/1.1 wire format (RFC 9112 §3, §4, §5).
///
/// A head goes into the buffer in one write: its size is bounded first (a string's UTF-8
/// length is never less than its Latin-1 length), then every line is copied through one
/// pointer. Written piece by piece (four writes a field), each write paid NIO's capacity,
/// uniqueness and exclusivity checks; perf showed them.
extension ByteBuffer {
    package mutating func writeRequestHead(_ head: HTTPRequestHead) {
        let bound = head.method.utf8.count + 1 + head.target.utf8.count + 11 + head.fields.writtenBound
        writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { out in
            var at = 0
            out.copyLatin1(head.method, at: &at)
            out[at] = UInt8(ascii: " ")
            at += 1
            out.copyLatin1(head.target, at: &at)
            Self.copyASCII(head.minorVersion == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n", to: out, at: &at)
            head.fields.write(to: out, at: &at)
            return at
        }
    }

    package mutating func writeResponseHead(_ head: HTTPResponseHead) {
        guard head.status >= 100 && head.status <= 999 else {
            // Not three digits: only a malformed generated head; kept writable, written the slow way.
            writeStaticString(head.minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            writeString(String(head.status))
            writeInteger(UInt8(ascii: " "))
            writeFieldsSeparately(reason: head.reason, head.fields)
            return
        }
        let bound = 13 + head.reason.utf8.count + 2 + head.fields.writtenBound
        writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { out in
            var at = 0
            Self.copyASCII(head.minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ", to: out, at: &at)
            let status = head.status
            out[at] = UInt8(truncatingIfNeeded: 0x30 + status / 100)
            out[at + 1] = UInt8(truncatingIfNeeded: 0x30 + status / 10 % 10)
            out[at + 2] = UInt8(truncatingIfNeeded: 0x30 + status % 10)
            out[at + 3] = UInt8(ascii: " ")
            at += 4
            out.copyLatin1(head.reason, at: &at)
            Self.copyASCII("\r\n", to: out, at: &at)
            head.fields.write(to: out, at: &at)
            return at
        }
    }

    /// The buffer in `slot`, emptied for reuse (its memory kept unless something still holds it),
    /// or a new one when the slot is empty. The slot is left empty: the caller puts the buffer back.
    static func reused(from slot: inout ByteBuffer?, minimumCapacity: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard var buffer = slot.take() else { return allocator.buffer(capacity: minimumCapacity) }
        buffer.clear(minimumCapacity: minimumCapacity)
        return buffer
    }

    private mutating func writeFieldsSeparately(reason: String, _ fields: HTTPFields) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: reason.utf8.count + 2 + fields.writtenBound) { out in
            var at = 0
            out.copyLatin1(reason, at: &at)
            Self.copyASCII("\r\n", to: out, at: &at)
            fields.write(to: out, at: &at)
            return at
        }
    }

    @inline(__always)
    private static func copyASCII(_ text: StaticString, to out: UnsafeMutableRawBufferPointer, at: inout Int) {
        let n = text.utf8CodeUnitCount
        (out.baseAddress! + at).copyMemory(from: text.utf8Start, byteCount: n)
        at += n
    }
}
