internal import CZlib
public import NIOCore

/// The three wrappings zlib can put around a deflate stream, named by the HTTP content coding
/// each one is (RFC 9110 §8.4.1).
public enum ZlibFormat: Sendable, Hashable {
    /// `gzip` (RFC 1952): gzip header and CRC-32 trailer.
    case gzip
    /// `deflate` (RFC 1950): the zlib wrapper with its Adler-32 trailer.
    case zlib
    /// A bare deflate stream (RFC 1951), what many servers send as `deflate`.
    case raw

    /// zlib's windowBits for this wrapping with a 32 KiB window: 16+ asks for gzip, negative for raw.
    var windowBits: Int32 {
        switch self {
        case .gzip: 15 + 16
        case .zlib: 15
        case .raw: -15
        }
    }
}

/// A zlib call that failed, with zlib's code and message.
public struct ZlibError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String

    public var description: String { "zlib error \(code): \(message)" }
}

/// How much of its pending output a stream must give up after this input.
public enum ZlibFlush: Sendable {
    /// Whatever zlib decides (best ratio); output may lag the input.
    case none
    /// Everything so far, ending on a byte boundary, the stream left open (Z_SYNC_FLUSH).
    case sync
    /// Everything, and the stream's trailer (Z_FINISH).
    case finish

    var code: Int32 {
        switch self {
        case .none: Z_NO_FLUSH
        case .sync: Z_SYNC_FLUSH
        case .finish: Z_FINISH
        }
    }
}

/// A streaming zlib compressor: bytes in, compressed bytes appended to a buffer the caller owns.
///
/// Holds zlib's state (about 256 KiB at level 1 with the default memLevel) and nothing of the
/// data beyond it: each call returns what zlib has produced so far. Not thread-safe; one owner
/// (in the proxy, one exchange on one event loop).
public final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    /// - Parameter level: 1 (fastest, HAProxy's default `tune.comp.maxlevel`) to 9 (smallest).
    public init(format: ZlibFormat, level: Int32 = 1) throws(ZlibError) {
        // zlib keeps a pointer back to the z_stream: it must not move, hence the allocation.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = czlib_deflateInit2(stream, level, format.windowBits, 8)
        guard rc == Z_OK else {
            let error = ZlibError(code: rc, message: Self.message(stream, rc))
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw error
        }
    }

    deinit {
        CZlib.deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses the readable bytes of `input` (they are not consumed), appending to `output`.
    public func deflate(_ input: ByteBuffer, flush: ZlibFlush = .none, into output: inout ByteBuffer) throws(ZlibError) {
        precondition(!finished, "deflate after finish")
        if flush == .finish { finished = true }
        let rc = input.withUnsafeReadableBytes { bytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(bytes.count)
            return run(flush: flush, into: &output)
        }
        stream.pointee.next_in = nil
        guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
            throw ZlibError(code: rc, message: Self.message(stream, rc))
        }
    }

    /// Ends the stream: the pending output and the trailer, appended to `output`.
    public func finish(into output: inout ByteBuffer) throws(ZlibError) {
        try deflate(ByteBuffer(), flush: .finish, into: &output)
    }

    /// Calls deflate until the input is taken and, for a flush, the output is complete (zlib
    /// says so by leaving room in the output area).
    private func run(flush: ZlibFlush, into output: inout ByteBuffer) -> Int32 {
        var rc = Z_OK
        while true {
            let room = max(512, Int(stream.pointee.avail_in) / 2 + 64)
            var full = false
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { area in
                stream.pointee.next_out = area.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(area.count)
                rc = CZlib.deflate(stream, flush.code)
                full = stream.pointee.avail_out == 0
                let written = area.count - Int(stream.pointee.avail_out)
                stream.pointee.next_out = nil
                return written
            }
            if rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR) { return rc }
            if !full && stream.pointee.avail_in == 0 { return rc }
        }
    }

    fileprivate static func message(_ stream: UnsafeMutablePointer<z_stream>, _ rc: Int32) -> String {
        stream.pointee.msg.map { String(cString: $0) } ?? String(cString: zError(rc))
    }
}

/// A streaming zlib decompressor, the inverse of `Deflater` (tests read the proxy's output with it).
public final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// Whether the stream's end (and its trailer) has been read.
    public private(set) var isComplete = false

    public init(format: ZlibFormat) throws(ZlibError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = czlib_inflateInit2(stream, format.windowBits)
        guard rc == Z_OK else {
            let error = ZlibError(code: rc, message: Deflater.message(stream, rc))
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw error
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses the readable bytes of `input`, appending to `output`; bytes after the
    /// stream's end are ignored.
    public func inflate(_ input: ByteBuffer, into output: inout ByteBuffer) throws(ZlibError) {
        var rc = Z_OK
        input.withUnsafeReadableBytes { bytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(bytes.count)
            while !isComplete {
                var full = false
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: max(4096, bytes.count * 2)) { area in
                    stream.pointee.next_out = area.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(area.count)
                    rc = CZlib.inflate(stream, Z_NO_FLUSH)
                    full = stream.pointee.avail_out == 0
                    let written = area.count - Int(stream.pointee.avail_out)
                    stream.pointee.next_out = nil
                    return written
                }
                if rc == Z_STREAM_END { isComplete = true }
                if rc != Z_OK || (!full && stream.pointee.avail_in == 0) { break }
            }
            stream.pointee.next_in = nil
        }
        guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
            throw ZlibError(code: rc, message: Deflater.message(stream, rc))
        }
    }
}
