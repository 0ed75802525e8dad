import NIOCore

/// The scratch buffers of the TLS connections of one event loop: the plaintext of a socket read,
/// the plaintext of a flush gathered from several writes, and the ciphertext of a flush.
///
/// A buffer is reused once nothing else holds it (the next handler let go of the plaintext, the
/// channel wrote the ciphertext) and replaced when something still does: `ByteBuffer`'s
/// copy-on-write decides, so sharing is never visible to the handlers. A loop busy with
/// kept-alive requests then allocates no buffer per TLS record, and an idle connection holds
/// none of them. One per event loop (``TLSHandler``'s default is one per handler), used only on
/// that loop.
public final class TLSRecordBuffers {
    /// A buffer that grew larger than this is freed after use, not kept: two records' worth, so
    /// the ciphertext of a flush that reached one record is kept, a large single write's is not.
    static let keptCapacity = 32 * 1024

    var plaintext: ByteBuffer?
    var gathered: ByteBuffer?
    var ciphertext: ByteBuffer?

    public init() {}

    /// `slot`'s buffer emptied, with room for `minimumCapacity` bytes: its storage when nothing
    /// else holds it any more, else new storage. The slot is left empty.
    static func take(_ slot: inout ByteBuffer?, minimumCapacity: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard var buffer = slot.take() else { return allocator.buffer(capacity: minimumCapacity) }
        buffer.clear(minimumCapacity: minimumCapacity)
        return buffer
    }

    /// Keeps `buffer` for the next `take` unless it grew too large.
    static func keep(_ buffer: ByteBuffer, in slot: inout ByteBuffer?) {
        if buffer.capacity <= keptCapacity { slot = buffer }
    }
}

@available(*, unavailable)
extension TLSRecordBuffers: Sendable {}
