package import NIOCore

/// Writes request and response heads in HTTP/1.1 wire format (RFC 9112 §3, §4, §5).
extension ByteBuffer {
    package mutating func writeRequestHead(_ head: HTTPRequestHead) {
        writeLatin1(head.method)
        writeInteger(UInt8(ascii: " "))
        writeLatin1(head.target)
        writeStaticString(head.minorVersion == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")
        writeFields(head.fields)
    }

    package mutating func writeResponseHead(_ head: HTTPResponseHead) {
        writeStaticString(head.minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        writeString(String(head.status))
        writeInteger(UInt8(ascii: " "))
        writeLatin1(head.reason)
        writeStaticString("\r\n")
        writeFields(head.fields)
    }

    /// The buffer in `slot`, emptied for reuse (its memory kept unless something still holds it),
    /// or a new one when the slot is empty. The slot is left empty: the caller puts the buffer back.
    static func reused(from slot: inout ByteBuffer?, minimumCapacity: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard var buffer = slot.take() else { return allocator.buffer(capacity: minimumCapacity) }
        buffer.clear(minimumCapacity: minimumCapacity)
        return buffer
    }

    mutating func writeFields(_ fields: HTTPFields) {
        for field in fields.fields {
            writeLatin1(field.name)
            writeStaticString(": ")
            writeLatin1(field.value)
            writeStaticString("\r\n")
        }
        writeStaticString("\r\n")
    }

    /// Writes each scalar as one byte (the inverse of `String(latin1:)`).
    mutating func writeLatin1(_ string: String) {
        var string = string
        let ascii = string.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return false }
            writeBytes(UnsafeRawBufferPointer(bytes))
            return true
        }
        if !ascii {
            for scalar in string.unicodeScalars { writeInteger(UInt8(truncatingIfNeeded: scalar.value)) }
        }
    }
}
