import NIOCore
import NIOEmbedded
import TLS

/// Records what reaches the handler after TLS: events in order, plaintext, errors.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var events: [String] = []
    var received = ""
    var reads = 0
    /// Where each read's bytes were: the same address again means the same storage was reused.
    var readAddresses: [UInt] = []
    /// Set: every buffer read is kept as it came, as a session keeps a partial request.
    var keepsBuffers = false
    var kept: [ByteBuffer] = []
    var errors: [any Error] = []
    var info: TLSConnectionInfo?

    func channelActive(context: ChannelHandlerContext) { events.append("active") }
    func channelInactive(context: ChannelHandlerContext) { events.append("inactive") }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        reads += 1
        readAddresses.append(buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) })
        if keepsBuffers { kept.append(buffer) }
        received += buffer.readString(length: buffer.readableBytes) ?? ""
    }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            info = completed.info
            events.append("handshake")
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            events.append("inputClosed")
        }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }

    var tlsErrors: [TLSError] { errors.compactMap { $0 as? TLSError } }
}

/// Records the ciphertext a `TLSHandler` writes down the pipeline, flushed or not.
final class CiphertextWrites: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var buffers: [ByteBuffer] = []
    var bytes: Int { buffers.reduce(0) { $0 + $1.readableBytes } }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        buffers.append(unwrapOutboundIn(data))
        context.write(data, promise: promise)
    }
}

/// TLS records (RFC 8446 §5.1: type, version, 16-bit length, fragment) in a run of ciphertext.
enum TLSRecords {
    static func count(_ buffer: ByteBuffer) -> Int {
        var buffer = buffer
        var records = 0
        while let length = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt16.self),
              buffer.readableBytes >= 5 + Int(length) {
            buffer.moveReaderIndex(forwardBy: 5 + Int(length))
            records += 1
        }
        return records
    }
}

/// A server and a client `EmbeddedChannel`, each with a `TLSHandler`, wired by hand: `exchange()`
/// moves what each wrote to the other until neither has anything left.
final class TLSPair {
    let server: EmbeddedChannel
    let client: EmbeddedChannel
    let serverRecorder = Recorder()
    let clientRecorder = Recorder()

    /// `buffers`: the server handler's scratch buffers, to share them between pairs as a loop does.
    init(server context: TLSServerContext, client clientContext: TLSClientContext, serverName: String?,
         handshakeTimeout: TimeAmount? = nil, buffers: TLSRecordBuffers = TLSRecordBuffers()) throws {
        server = EmbeddedChannel()
        client = EmbeddedChannel()
        try server.pipeline.syncOperations.addHandler(TLSHandler(server: context, handshakeTimeout: handshakeTimeout, buffers: buffers))
        try server.pipeline.syncOperations.addHandler(serverRecorder)
        try client.pipeline.syncOperations.addHandler(TLSHandler(client: clientContext, serverName: serverName))
        try client.pipeline.syncOperations.addHandler(clientRecorder)
        _ = try server.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).wait()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 443)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
    }

    /// Moves bytes both ways until both sides are quiet.
    func exchange() throws {
        for _ in 0..<50 {
            var moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                if server.isActive { try server.writeInbound(bytes) }
                moved = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                if client.isActive { try client.writeInbound(bytes) }
                moved = true
            }
            if !moved { return }
        }
    }

    /// Everything the client has written so far, not delivered.
    func clientOutput() throws -> ByteBuffer {
        var all = ByteBuffer()
        while var bytes = try client.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&bytes) }
        return all
    }
}
