import NIOCore

/// One connection to a backend server, on the client's event loop: parses the response head
/// strictly, forwards body slices to the session that owns it, and returns to the loop's pool
/// after a complete response on a persistent connection.
final class UpstreamConnection: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let id: Int
    let backend: Int
    let server: Int
    let bufsize: Int
    let maxHeaderLines: Int
    weak var loop: LoopContext?
    private(set) var context: ChannelHandlerContext?
    /// The session this connection serves; nil while idle in the pool.
    private(set) var session: HTTPSession?
    /// Parked with one read buffer (`shrinkReadBuffers`).
    private var readBuffersShrunk = false
    private var requestMethod = "GET"
    private var scanner: HTTPHeadScanner
    private var headBuffer: ByteBuffer?
    private var framer: BodyFramer?
    /// Whether the current body is chunked: `%B` counts its payload, not its framing.
    private var chunked = false
    private var serverPersistent = true
    private var pendingRead = false
    /// Bytes of the current response received so far (0: the request may be retried).
    private(set) var responseBytes = 0
    private(set) var requestsServed = 0
    /// The SNI this connection was opened with (`server ... ssl sni`): reused only for the same.
    var serverName: String?
    private var closed = false

    init(id: Int, backend: Int, server: Int, bufsize: Int, loop: LoopContext) {
        self.loop = loop
        self.id = id
        self.backend = backend
        self.server = server
        self.bufsize = bufsize
        self.maxHeaderLines = loop.runtime.plan.maxHeaderLines
        self.scanner = HTTPHeadScanner(limit: bufsize)
    }

    var isActive: Bool { !closed && (context?.channel.isActive ?? false) }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Starts an exchange for `session`.
    func attach(_ session: HTTPSession, method: String) {
        self.session = session
        requestMethod = method
        scanner.reset()
        headBuffer = nil
        framer = nil
        serverPersistent = true
        responseBytes = 0
        requestsServed += 1
        if readBuffersShrunk { setReadsPerWakeup(ReceiveBuffers.readsPerWakeup) }
        resumeReadIfWanted()
    }

    /// Back in the pool: reads continue so that a server close is noticed.
    func becameIdle() {
        session = nil
        resumeReadIfWanted()
    }

    /// Parked for a while (the loop's once-a-second pool sweep): the read buffers a large
    /// response left beyond one are given up until the next exchange (ReceiveBuffers).
    func shrinkReadBuffers() {
        guard session == nil, !readBuffersShrunk else { return }
        setReadsPerWakeup(ReceiveBuffers.parkedReadsPerWakeup)
    }

    private func setReadsPerWakeup(_ reads: UInt) {
        readBuffersShrunk = reads == ReceiveBuffers.parkedReadsPerWakeup
        do {
            try context?.channel.syncOptions?.setOption(.maxMessagesPerRead, value: reads)
        } catch {
            // The channel is closing: its buffers go with it.
            readBuffersShrunk = false
        }
    }

    func write(_ buffer: ByteBuffer) {
        context?.write(NIOAny(buffer), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func close() {
        guard !closed else { return }
        closed = true
        session = nil
        context?.close(promise: nil)
    }

    /// Half-closes towards the server (tunnels: the client sent FIN).
    func shutdownOutput() {
        context?.close(mode: .output, promise: nil)
    }

    // MARK: reads, with backpressure from the client side

    func read(context: ChannelHandlerContext) {
        if wantsRead {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private var wantsRead: Bool {
        guard let session else { return true }
        return session.clientIsWritable
    }

    func resumeReadIfWanted() {
        guard pendingRead, wantsRead, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let session else {
            // A server speaking on an idle connection is out of sync: never reuse it.
            close()
            return
        }
        session.loop.handlingRead { received(buffer, session) }
    }

    private func received(_ bytes: ByteBuffer, _ session: HTTPSession) {
        var buffer = bytes
        responseBytes += buffer.readableBytes
        if session.isTunnel {
            session.forwardTunnelData(buffer)
            return
        }
        while buffer.readableBytes > 0, self.session != nil {
            if framer == nil {
                guard parseHead(&buffer, session) else { return }
            } else {
                forwardBody(&buffer, session)
            }
        }
    }

    /// Returns false when it stopped: need more bytes, error, or tunnel.
    private func parseHead(_ buffer: inout ByteBuffer, _ session: HTTPSession) -> Bool {
        if headBuffer == nil {
            headBuffer = buffer
        } else {
            headBuffer!.writeBuffer(&buffer)
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        var head = headBuffer!
        do {
            guard let span = try head.withUnsafeReadableBytes({ try scanner.scan($0) }) else { return false }
            var storage = session.loop.takeFieldStorage()
            // The fields keep the read buffer until the head is written to the client.
            var response = try HTTPHeadParser.parseResponse(
                head.getSlice(at: head.readerIndex + span.start, length: span.end - span.start)!,
                maxHeaderLines: maxHeaderLines, storage: &storage)
            head.moveReaderIndex(forwardBy: span.end)
            headBuffer = nil
            scanner.reset()
            buffer = head  // the rest belongs to the body or the next head
            if response.status >= 100 && response.status < 200 && response.status != 101 {
                session.interimResponse(response)
                return true
            }
            let framing = try MessageFraming.response(response, requestMethod: requestMethod)
            session.exchange?.bytesRead = LoggedBytes.head(response)
            chunked = framing == .chunked
            let switchingProtocols = response.status == 101
            let upgradeProtocol = switchingProtocols ? response.fields.first(.upgrade) : nil
            // One pass reads the server's Connection options and drops the hop-by-hop fields.
            let options = HopByHop.strip(&response.fields)
            serverPersistent = options.persistent(minorVersion: response.minorVersion) && framing != .untilClose
            framer = BodyFramer(framing)
            session.responseHead(consume response, framing: framing, upgradeProtocol: upgradeProtocol, bodyBytesReady: buffer.readableBytes)
            if switchingProtocols {
                // Bytes the server sent right after switching protocols belong to the tunnel.
                if buffer.readableBytes > 0 {
                    session.forwardTunnelData(buffer)
                    buffer.moveReaderIndex(to: buffer.writerIndex)
                }
                return false
            }
            if framer!.isComplete {
                // Anything after a complete bodiless response is out of protocol: don't reuse.
                if buffer.readableBytes > 0 {
                    serverPersistent = false
                    buffer.moveReaderIndex(to: buffer.writerIndex)
                }
                finishResponse()
            }
            return true
        } catch {
            headBuffer = nil
            session.upstreamFailed(.badResponse, connection: self)
            return false
        }
    }

    private func forwardBody(_ buffer: inout ByteBuffer, _ session: HTTPSession) {
        do {
            if session.compressesResponse {
                // The payload alone goes to the compressor; the proxy frames its own chunks.
                var pieces: [ByteBuffer] = []
                let base = buffer.readerIndex
                let n = try buffer.withUnsafeReadableBytes { bytes in
                    try framer!.consume(bytes) { range in
                        if !range.isEmpty { pieces.append(buffer.getSlice(at: base + range.lowerBound, length: range.count)!) }
                    }
                }
                buffer.moveReaderIndex(forwardBy: n)
                session.exchange?.bytesRead += pieces.reduce(0) { $0 + $1.readableBytes }
                session.compressedResponseBody(pieces)
            } else if chunked {
                var payload = 0
                let n = try buffer.withUnsafeReadableBytes { try framer!.consume($0) { payload += $0.count } }
                session.exchange?.bytesRead += payload
                if n > 0, let slice = buffer.readSlice(length: n) {
                    session.responseBody(slice)
                }
            } else {
                let n = try buffer.withUnsafeReadableBytes { try framer!.consume($0) }
                session.exchange?.bytesRead += n
                if n > 0, let slice = buffer.readSlice(length: n) {
                    session.responseBody(slice)
                }
            }
            if framer!.isComplete {
                if chunked { session.exchange?.bytesRead += LoggedBytes.chunkedEnd }
                if buffer.readableBytes > 0 {
                    // Bytes after a complete response: the server is not speaking HTTP correctly.
                    serverPersistent = false
                    buffer.moveReaderIndex(to: buffer.writerIndex)
                }
                finishResponse()
            }
        } catch {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            session.upstreamFailed(.badResponse, connection: self)
        }
    }

    private func finishResponse() {
        guard let session else { return }
        framer = nil
        session.responseComplete(serverPersistent: serverPersistent)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        session?.flushClient()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        session?.upstreamWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            handleEndOfInput()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        handleEndOfInput()
        context.fireChannelInactive()
    }

    private func handleEndOfInput() {
        guard let session else {
            loop?.idleConnectionClosed(self)
            close()
            return
        }
        if session.isTunnel {
            session.tunnelServerClosedInput()
            return
        }
        if let framer, framer.endsAtClose {
            self.framer = nil
            serverPersistent = false
            session.responseComplete(serverPersistent: false)
        } else {
            session.upstreamFailed(.closed, connection: self)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
