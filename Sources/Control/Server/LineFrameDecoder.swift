public import NIOCore

/// What the control socket reads: a line, or the news that a line was too long.
public enum ControlFrame: Sendable, Equatable {
    /// One line's bytes, without `\n` (a trailing `\r` is kept; the session trims it).
    case line(ByteBuffer)
    /// More than the limit arrived without a newline; the decoder then discards the rest.
    case overlong
}

/// Splits a byte stream into `\n`-terminated lines of at most `maximumLength` bytes. Over the
/// limit it emits `.overlong` once and discards everything after (the connection is about to
/// be closed), so a hostile client cannot make us buffer without bound.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ControlFrame

    private let maximumLength: Int
    private var discarding = false
    /// How far the previous call already looked for a newline, so a long line is scanned once.
    private var scanned = 0

    public init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        if let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            scanned = 0
            guard length <= maximumLength else { return overflow(context: context, buffer: &buffer) }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(Self.wrapInboundOut(.line(line)))
            return .continue
        }
        scanned = view.count
        if view.count > maximumLength { return overflow(context: context, buffer: &buffer) }
        return .needMoreData
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without its newline (`printf 'show stat' | socat ...`) is still a request.
        let state = try decode(context: context, buffer: &buffer)
        if state == .needMoreData, buffer.readableBytes > 0, !discarding {
            let line = buffer.readSlice(length: buffer.readableBytes)!
            scanned = 0
            context.fireChannelRead(Self.wrapInboundOut(.line(line)))
        }
        return .needMoreData
    }

    private mutating func overflow(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        discarding = true
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        context.fireChannelRead(Self.wrapInboundOut(.overlong))
        return .needMoreData
    }
}
