import NIOCore

/// The size of a proxy socket's next read buffer: NIO's adaptive policy (double after a read
/// that filled the buffer, halve after two reads in a row that used half of it or less, within
/// a minimum and a maximum), kept in 4 bytes.
///
/// A channel stores its receive allocator as an existential, which holds values of up to 24
/// bytes inline. NIO's `AdaptiveRecvByteBufferAllocator` is 33 bytes: every channel started
/// with a reference to one shared box and, at its first read, copied it into a box of its own
/// for the life of the connection (issue 12: ~64 bytes of heap per connection, idle or not).
/// All sizes here are powers of two, so their base-2 logarithms are what is stored.
struct ReceiveBufferSizes: RecvByteBufferAllocator {
    private let minimumShift: UInt8
    private let maximumShift: UInt8
    private var shift: UInt8
    private var decreaseNow = false

    /// As NIO's adaptive allocator rounds them: `minimum` and `initial` down to a power of two,
    /// `maximum` up.
    init(minimum: Int, initial: Int, maximum: Int) {
        precondition(minimum > 0 && minimum <= initial && initial <= maximum && maximum <= 1 << 30)
        func floorLog2(_ value: Int) -> UInt8 { UInt8(Int.bitWidth - 1 - value.leadingZeroBitCount) }
        minimumShift = floorLog2(minimum)
        shift = floorLog2(initial)
        let maximumFloor = floorLog2(maximum)
        maximumShift = maximum.nonzeroBitCount == 1 ? maximumFloor : maximumFloor + 1
    }

    var minimum: Int { 1 << Int(minimumShift) }
    var maximum: Int { 1 << Int(maximumShift) }
    private var next: Int { 1 << Int(shift) }

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: next)
    }

    func nextBufferSize() -> Int? {
        next
    }

    mutating func record(actualReadBytes: Int) -> Bool {
        if actualReadBytes <= next >> 1 && shift > minimumShift {
            if decreaseNow {
                shift -= 1
                decreaseNow = false
            } else {
                decreaseNow = true
            }
        } else if actualReadBytes >= next && shift < maximumShift {
            shift += 1
            decreaseNow = false
            return true
        } else {
            decreaseNow = false
        }
        return false
    }
}
