import NIOCore

/// The buffers request and response heads are written into, lent to sessions by their loop.
///
/// A session keeps its two head buffers while it exchanges (a keep-alive client's next request
/// reuses them: two allocations a message fewer), and gives them back to its loop when it goes
/// idle between requests, so an idle keep-alive connection holds none (issue 12: per idle client
/// connection). The loop keeps at most `spareHeadBufferLimit` of them, each at most
/// `tune.bufsize` large; the rest are freed.
extension LoopContext {
    static let spareHeadBufferLimit = 128

    /// A buffer for a head: the session's own (`slot`), else one of the loop's spares, else a new
    /// one; emptied, with at least `minimumCapacity`. The slot is left empty: the caller puts the
    /// buffer back when the head is written.
    func headBuffer(from slot: inout ByteBuffer?, minimumCapacity: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        if slot == nil, let spare = spareHeadBuffers.popLast() { slot = spare }
        return ByteBuffer.reused(from: &slot, minimumCapacity: minimumCapacity, allocator: allocator)
    }

    /// A session went idle: its head buffers return to the loop (or are freed).
    func takeBackHeadBuffers(_ request: inout ByteBuffer?, _ response: inout ByteBuffer?) {
        if let buffer = request.take() { keepSpare(buffer) }
        if let buffer = response.take() { keepSpare(buffer) }
    }

    private func keepSpare(_ buffer: ByteBuffer) {
        guard spareHeadBuffers.count < Self.spareHeadBufferLimit, buffer.capacity <= runtime.plan.bufsize else { return }
        spareHeadBuffers.append(buffer)
    }
}
