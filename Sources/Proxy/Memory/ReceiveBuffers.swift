import NIOCore

/// How large the buffers NIO reads the proxy's sockets into may grow: HAProxy's `tune.bufsize`.
///
/// Each channel keeps the buffer it last read into for its next read (NIO's pooled receive
/// buffer), for as long as the connection lives, idle or not, and a buffer never shrinks. NIO's
/// default starts at 2 KiB and grows to 64 KiB, whatever `tune.bufsize` says (issue 12: 6.5 KiB
/// per idle keep-alive client, and server connections parked in the pool holding 64 KiB each
/// after a large response).
enum ReceiveBuffers {
    /// A client's: 1 KiB first (a request head of a browser without big cookies fits), growing
    /// to `tune.bufsize` for uploads.
    static func client(bufsize: Int) -> ReceiveBufferSizes {
        allocator(initial: 1024, bufsize: bufsize)
    }

    /// A server's: 2 KiB first (NIO's default), growing to `tune.bufsize` for large responses.
    static func server(bufsize: Int) -> ReceiveBufferSizes {
        allocator(initial: 2048, bufsize: bufsize)
    }

    /// Reads per wakeup of a server connection in use (NIO's default): a large response is read
    /// 4 buffers at a time, and a channel keeps up to that many read buffers (each one still
    /// queued towards a slower client forces a new one).
    static let readsPerWakeup: UInt = 4
    /// ... and once it has been parked in the pool for a second: one, so it keeps one buffer
    /// (issue 12: connections parked after a burst of 64 KiB responses held 4 each).
    static let parkedReadsPerWakeup: UInt = 1

    /// The largest read buffer for `bufsize`: the power of two at or below it (NIO rounds the
    /// maximum up), and never below the allocator's 64-byte minimum.
    static func maximum(bufsize: Int) -> Int {
        let bounded = max(bufsize, 64)
        return 1 << (Int.bitWidth - 1 - bounded.leadingZeroBitCount)
    }

    private static func allocator(initial: Int, bufsize: Int) -> ReceiveBufferSizes {
        let maximum = maximum(bufsize: bufsize)
        return ReceiveBufferSizes(minimum: 64, initial: min(initial, maximum), maximum: maximum)
    }
}
