import CTLS
public import NIOCore

/// TLS on a connection: ciphertext below, plaintext above. The server role terminates a
/// `bind ... ssl` connection; the client role speaks TLS to a `server ... ssl`.
///
/// OpenSSL never touches the socket. The handler feeds what the channel reads into a memory BIO,
/// lets `SSL_do_handshake`/`SSL_read` consume it, and writes whatever OpenSSL put in the output
/// BIO to the channel. So NIO keeps owning the socket, its event loop and its backpressure, and
/// no OpenSSL call ever blocks.
///
/// - The handlers after this one see `channelActive` only once the handshake has completed
///   (after a `TLSHandshakeCompleted` event): a session behind it never starts, and never
///   connects to a server, for a client that does not finish the handshake.
/// - Reads: each read of the channel is decrypted whole into one buffer and passed on as one
///   `channelRead`, so plaintext waiting for the next handler is at most one socket read; reads
///   are only asked for when the next handler asks (during the handshake the handler asks itself).
/// - Writes: plaintext written between two flushes is gathered and encrypted at the flush with
///   one `SSL_write`, so a response head and its body leave as one record and one ciphertext
///   buffer. At most one record's worth waits here: a gathering that reaches 16 KiB is encrypted
///   and written at once, so the channel's writability (its watermarks) still counts the bytes
///   of a large body.
/// - Closing: `close` sends `close_notify` first; a `close_notify` from the client reaches the next
///   handler as `ChannelEvent.inputClosed` when the channel allows half-closure, else closes.
/// - Renegotiation is refused (`SSL_OP_NO_RENEGOTIATION`; TLS 1.3 has none).
/// - Every failure is fired as a `TLSError` through `errorCaught`, then the channel is closed
///   (after the alert OpenSSL wrote, if any).
public final class TLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    enum State: Equatable {
        case idle
        case handshaking
        case established
        /// close_notify sent; waiting for the write before closing the socket.
        case closing
        case failed
        case closed
    }

    enum Role {
        case server(TLSServerContext)
        case client(TLSClientContext)
    }

    private let role: Role
    private let handshakeTimeout: TimeAmount?
    private let ssl: OpaquePointer
    private let inputBIO: OpaquePointer
    private let outputBIO: OpaquePointer
    private(set) var state = State.idle
    private var handshakeTimer: Scheduled<Void>?
    /// Writes issued before the handshake completed (none from the proxy, which starts after it).
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var pendingFlush = false
    /// Plaintext written since the last flush, not encrypted yet (established only).
    private var unencrypted: ByteBuffer?
    /// Completed when `unencrypted`'s ciphertext is written (the promises of its writes, cascaded).
    private var unencryptedPromise: EventLoopPromise<Void>?
    /// `unencrypted` is the loop's gathering buffer (two writes or more), not a write as it came.
    private var unencryptedIsGathered = false
    /// The scratch buffers this handler shares with the other TLS connections of its loop.
    private let buffers: TLSRecordBuffers
    /// The channel's allocator, kept at `handlerAdded` (asked of the channel on every record otherwise).
    private var allocator = ByteBufferAllocator()
    private var receivedBytes = 0
    /// The next handler asked for a read we have not passed on yet (established only).
    private var downstreamWantsRead = false
    private var forwardedActive = false
    /// The agreed session, once the handshake is done.
    public private(set) var connectionInfo: TLSConnectionInfo?

    /// One TLS record's maximum plaintext: the most gathered before encrypting without a flush,
    /// and the most one `SSL_read` is offered when OpenSSL holds a record it has not returned.
    private static let recordSize = 16384

    /// The server side of an accepted connection.
    /// - Parameters:
    ///   - handshakeTimeout: closes a handshake that has not completed in this time
    ///     (HAProxy applies `timeout client`); nil = no limit.
    ///   - buffers: the event loop's scratch buffers (see ``TLSRecordBuffers``); by default the
    ///     handler's own.
    public convenience init(server context: TLSServerContext, handshakeTimeout: TimeAmount? = nil,
                            buffers: TLSRecordBuffers = TLSRecordBuffers()) {
        self.init(role: .server(context), ssl: context.makeSSL(), handshakeTimeout: handshakeTimeout, buffers: buffers)
        SSL_set_accept_state(ssl)
    }

    /// The client side of a connection to a server; `serverName` is sent as SNI and, with
    /// `verify required`, the server's certificate must carry `verifyHost`, or `serverName` when
    /// that is nil (HAProxy's `verifyhost` and `sni`); with neither, names are not checked.
    /// `session`, when given, is offered for resumption (a session from an earlier connection
    /// to the same listener, `resumableSession`). `buffers` as for a server.
    public convenience init(client context: TLSClientContext, serverName: String?, verifyHost: String? = nil,
                            handshakeTimeout: TimeAmount? = nil, session: TLSSession? = nil,
                            buffers: TLSRecordBuffers = TLSRecordBuffers()) {
        self.init(role: .client(context), ssl: context.makeSSL(), handshakeTimeout: handshakeTimeout, buffers: buffers)
        SSL_set_connect_state(ssl)
        if let session { _ = SSL_set_session(ssl, session.session) }
        if let serverName, !serverName.isEmpty, !IPAddressSyntax.isIPAddress(serverName) {
            // RFC 6066 §3: a literal IP address is not sent as a server name.
            _ = ctls_SSL_set_tlsext_host_name(ssl, serverName)
        }
        if context.configuration.verify, let name = verifyHost ?? serverName, !name.isEmpty {
            if IPAddressSyntax.isIPAddress(name) {
                _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
            } else {
                _ = SSL_set1_host(ssl, name)
            }
        }
    }

    private init(role: Role, ssl: OpaquePointer?, handshakeTimeout: TimeAmount?, buffers: TLSRecordBuffers) {
        self.role = role
        self.handshakeTimeout = handshakeTimeout
        self.buffers = buffers
        guard let ssl, let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            fatalError("OpenSSL cannot allocate a connection: out of memory")
        }
        // An empty input BIO means "wait for more", not end of file.
        _ = ctls_BIO_set_mem_eof_return(input, -1)
        _ = ctls_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)
        self.ssl = ssl
        self.inputBIO = input
        self.outputBIO = output
    }

    /// The session of this connection if a later one can resume it (client side, after the
    /// handshake; with TLS 1.3, once the server's ticket has been read along with the data).
    public var resumableSession: TLSSession? {
        guard state == .established || state == .closing, let session = SSL_get1_session(ssl) else { return nil }
        let kept = TLSSession(owning: session)
        return SSL_SESSION_is_resumable(session) == 1 ? kept : nil
    }

    private var isClient: Bool {
        if case .client = role { return true }
        return false
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs
    }

    // MARK: lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        allocator = context.channel.allocator
        if context.channel.isActive { begin(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        begin(context)
    }

    private func begin(_ context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        if let handshakeTimeout {
            handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) { [weak self] in
                guard let self, self.state == .handshaking else { return }
                self.fail(TLSError(.handshakeTimeout, reason: "no handshake within \(handshakeTimeout)"), context: context)
            }
        }
        if isClient { advanceHandshake(context) }
        context.read()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        let wasHandshaking = state == .handshaking
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        if wasHandshaking, receivedBytes > 0 {
            context.fireErrorCaught(TLSError(.unexpectedEOF, reason: "connection closed after \(receivedBytes) bytes of handshake"))
        }
        // The next handlers never saw the connection open unless the handshake completed.
        if forwardedActive { context.fireChannelInactive() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        failPendingWrites(ChannelError.ioOnClosedChannel)
    }

    // MARK: inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        receivedBytes += buffer.readableBytes
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = BIO_write(inputBIO, bytes.baseAddress! + offset, Int32(bytes.count - offset))
                if written <= 0 { break }
                offset += Int(written)
            }
        }
        switch state {
        case .handshaking: advanceHandshake(context)
        case .established, .closing: decrypt(context)
        case .idle, .failed, .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        switch state {
        case .handshaking:
            // The next handler has not started: keep the handshake moving ourselves.
            context.read()
        case .established, .closing:
            context.fireChannelReadComplete()
        case .idle, .failed, .closed:
            break
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            switch state {
            case .handshaking:
                fail(TLSError(.unexpectedEOF, reason: "end of stream after \(receivedBytes) bytes of handshake"), context: context)
            case .established, .closing:
                // A TCP close without close_notify: HTTP/1 frames its own messages, so this is read
                // as the client's end of input, as HAProxy and browsers read it.
                context.fireUserInboundEventTriggered(event)
            case .idle, .failed, .closed:
                break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func advanceHandshake(_ context: ChannelHandlerContext) {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            flushOutput(context, promise: nil, flush: false)
            completeHandshake(context)
            return
        }
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            flushOutput(context, promise: nil, flush: true)
        default:
            fail(handshakeError(), context: context)
        }
    }

    private func completeHandshake(_ context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        state = .established
        let info = currentInfo()
        connectionInfo = info
        context.fireUserInboundEventTriggered(TLSHandshakeCompleted(info: info))
        forwardedActive = true
        context.fireChannelActive()
        guard state == .established else { return }
        // Writes issued meanwhile, then any application data that came with the last flight.
        let writes = pendingWrites
        pendingWrites = []
        for (buffer, promise) in writes { gather(buffer, promise: promise, context: context) }
        pendingFlush = false
        encryptGathered(context)
        context.flush()
        decrypt(context)
    }

    private func currentInfo() -> TLSConnectionInfo {
        let version = SSL_get_version(ssl).map { String(cString: $0) } ?? "unknown"
        let serverName = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
        var alpnPointer: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpnPointer, &alpnLength)
        let alpn = alpnPointer.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self) }
        let cipher = SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) } ?? "unknown"
        var index = 0
        if case .server(let context) = role, let serverName { index = context.certificateIndex(forServerName: serverName) ?? 0 }
        var info = TLSConnectionInfo(protocolVersion: version, serverName: serverName, alpn: alpn, cipher: cipher, certificateIndex: index,
                                     sessionReused: SSL_session_reused(ssl) == 1)
        if case .server = role {
            let client = ClientCertificateVerification.facts(ssl)
            info.clientCertificateUsed = client.used
            info.clientVerifyResult = client.verify
            info.clientSubjectDN = client.subject
            info.clientIssuerDN = client.issuer
        }
        return info
    }

    /// Reads every complete record out of OpenSSL and passes the plaintext on, as one buffer.
    private func decrypt(_ context: ChannelHandlerContext) {
        guard state == .established else { return }
        // The plaintext of the records waiting in the input BIO is shorter than their ciphertext;
        // only a record OpenSSL already holds (SSL_pending, or begun in an earlier read) is more.
        var wanted = ctls_BIO_pending(inputBIO)
        var plaintext = TLSRecordBuffers.take(&buffers.plaintext, minimumCapacity: max(wanted, 64), allocator: allocator)
        var outcome = Int32(SSL_ERROR_NONE)
        // A successful SSL_read adds nothing to the error queue: one clear covers the loop.
        OpenSSLErrorQueue.clear()
        while state == .established {
            var result: Int32 = 0
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: min(max(wanted, 1), Self.recordSize)) { bytes in
                result = SSL_read(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
                return Int(max(result, 0))
            }
            guard result > 0 else {
                outcome = SSL_get_error(ssl, result)
                break
            }
            // Nothing left to decrypt: skip the SSL_read that would only say WANT_READ.
            wanted = max(Int(SSL_pending(ssl)), ctls_BIO_pending(inputBIO))
            if wanted == 0 { break }
        }
        let delivered = plaintext.readableBytes > 0
        // Kept for the next read of any connection of the loop: reused if the next handler lets go of it.
        TLSRecordBuffers.keep(plaintext, in: &buffers.plaintext)
        if delivered {
            context.fireChannelRead(wrapInboundOut(plaintext))
            // The next handler may have closed the connection meanwhile.
            guard state == .established else { return }
        }
        switch outcome {
        case SSL_ERROR_NONE, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            // TLS 1.3 post-handshake messages (key updates) may have queued a reply.
            flushOutput(context, promise: nil, flush: true)
        case SSL_ERROR_ZERO_RETURN:
            // close_notify from the client.
            if delivered { context.fireChannelReadComplete() }
            receivedCloseNotify(context)
        default:
            fail(TLSError(.protocolError, reason: OpenSSLErrorQueue.drainedText(default: "record error")), context: context)
        }
    }

    private func receivedCloseNotify(_ context: ChannelHandlerContext) {
        let halfClosure = (try? context.channel.syncOptions?.getOption(ChannelOptions.allowRemoteHalfClosure)) ?? false
        if halfClosure {
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else {
            close(context: context, mode: .all, promise: nil)
        }
    }

    /// The handshake's failure as an error value, from OpenSSL's error queue.
    private func handshakeError() -> TLSError {
        let errors = OpenSSLErrorQueue.drain()
        let reason = errors.last?.text ?? "handshake failed"
        let sslLibrary: Int32 = 20  // ERR_LIB_SSL
        for error in errors where error.library == sslLibrary {
            switch error.reason {
            case 156, 155:  // SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST
                return TLSError(.plaintextHTTP, reason: error.text)
            case 258, 259, 396, 267, 1070:  // unsupported protocol / ssl version, version too low, wrong version number, alert protocol version
                return TLSError(.protocolVersionRefused, reason: error.text)
            default:
                continue
            }
        }
        if case .server(let context) = role, context.configuration.strictSNI {
            let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
            if name.flatMap({ context.certificateIndex(forServerName: $0) }) == nil {
                return TLSError(.unknownServerName, reason: name.map { "'\($0)'" } ?? "no server name sent")
            }
        }
        if isClient {
            let verify = SSL_get_verify_result(ssl)
            if verify != 0 /* X509_V_OK */ {
                let text = X509_verify_cert_error_string(verify).map { String(cString: $0) } ?? "error \(verify)"
                return TLSError(.certificateVerificationFailed, reason: text)
            }
        }
        return TLSError(.handshakeFailure, reason: reason)
    }

    private func fail(_ error: TLSError, context: ChannelHandlerContext) {
        guard state != .failed, state != .closed else { return }
        handshakeTimer?.cancel()
        state = .failed
        failPendingWrites(error)
        // OpenSSL may have written an alert for the client: send it, then close.
        let alert = outputBytes(context)
        context.fireErrorCaught(error)
        if let alert {
            context.writeAndFlush(wrapOutboundOut(alert)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }

    private func failPendingWrites(_ error: any Error) {
        let writes = pendingWrites
        pendingWrites = []
        for (_, promise) in writes { promise?.fail(error) }
        unencrypted = nil
        unencryptedIsGathered = false
        let gathered = unencryptedPromise
        unencryptedPromise = nil
        gathered?.fail(error)
    }

    // MARK: outbound

    public func read(context: ChannelHandlerContext) {
        context.read()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking:
            pendingWrites.append((buffer, promise))
        case .established:
            gather(buffer, promise: promise, context: context)
        case .closing, .failed, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking: pendingFlush = true
        case .established:
            encryptGathered(context)
            context.flush()
        default: context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (state, mode) {
        case (.established, .all), (.established, .output):
            // Plaintext written before the close goes out before close_notify.
            encryptGathered(context)
            guard state == .established else {
                context.close(mode: mode, promise: promise)
                return
            }
            state = mode == .all ? .closing : .established
            OpenSSLErrorQueue.clear()
            _ = SSL_shutdown(ssl)  // queues close_notify; we do not wait for the client's
            OpenSSLErrorQueue.clear()
            if let notify = outputBytes(context) {
                context.writeAndFlush(wrapOutboundOut(notify)).assumeIsolated().whenComplete { _ in
                    context.close(mode: mode, promise: promise)
                }
            } else {
                context.close(mode: mode, promise: promise)
            }
        default:
            // Not established, or a second close while close_notify is still queued: close now.
            if mode == .all { handshakeTimer?.cancel() }
            context.close(mode: mode, promise: promise)
        }
    }

    /// Adds a write to the plaintext of the next flush; a gathering that reaches one record's
    /// worth is encrypted and written now, so the channel counts the bytes of a large body.
    private func gather(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        if let promise {
            if let gathered = unencryptedPromise {
                gathered.futureResult.cascade(to: promise)
            } else {
                unencryptedPromise = promise
            }
        }
        if unencrypted == nil {
            // The first write of a flush is kept as it is: no copy unless a second one follows.
            unencrypted = buffer
        } else if unencryptedIsGathered {
            unencrypted!.writeImmutableBuffer(buffer)
        } else if buffer.readableBytes > 0 {
            // A second write: both are copied into the loop's gathering buffer. Appending to the
            // first would copy it anyway when its writer still holds it (a session's head buffer).
            let first = unencrypted!
            unencrypted = nil
            var gathered = TLSRecordBuffers.take(&buffers.gathered, minimumCapacity: first.readableBytes + buffer.readableBytes,
                                                 allocator: allocator)
            gathered.writeImmutableBuffer(first)
            gathered.writeImmutableBuffer(buffer)
            unencrypted = gathered
            unencryptedIsGathered = true
        }
        if unencrypted!.readableBytes >= Self.recordSize { encryptGathered(context) }
    }

    /// Encrypts the gathered plaintext with one SSL_write and writes its ciphertext as one buffer
    /// (not flushed).
    private func encryptGathered(_ context: ChannelHandlerContext) {
        guard let plaintext = unencrypted else { return }
        unencrypted = nil
        let isGathered = unencryptedIsGathered
        unencryptedIsGathered = false
        let promise = unencryptedPromise
        unencryptedPromise = nil
        guard plaintext.readableBytes > 0 else {
            context.write(wrapOutboundOut(plaintext), promise: promise)
            return
        }
        OpenSSLErrorQueue.clear()
        let ok = plaintext.withUnsafeReadableBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, Int(Int32.max))))
                if written <= 0 { return false }
                offset += Int(written)
            }
            return true
        }
        // OpenSSL copied it: the gathering buffer is free for the next flush of the loop.
        if isGathered { TLSRecordBuffers.keep(plaintext, in: &buffers.gathered) }
        guard ok else {
            let error = TLSError(.protocolError, reason: OpenSSLErrorQueue.drainedText(default: "write failed"))
            promise?.fail(error)
            fail(error, context: context)
            return
        }
        flushOutput(context, promise: promise, flush: false)
    }

    /// Writes what OpenSSL queued for the client (handshake flight, records, alerts).
    private func flushOutput(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>?, flush: Bool) {
        if let bytes = outputBytes(context) {
            context.write(wrapOutboundOut(bytes), promise: promise)
            if flush { context.flush() }
        } else {
            promise?.succeed(())
        }
    }

    private func outputBytes(_ context: ChannelHandlerContext) -> ByteBuffer? {
        let pending = ctls_BIO_pending(outputBIO)
        guard pending > 0 else { return nil }
        var buffer = TLSRecordBuffers.take(&buffers.ciphertext, minimumCapacity: pending, allocator: allocator)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
            Int(max(BIO_read(outputBIO, bytes.baseAddress, Int32(pending)), 0))
        }
        // Kept for the next flush of the loop: reused once the channel has written it.
        TLSRecordBuffers.keep(buffer, in: &buffers.ciphertext)
        return buffer
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
