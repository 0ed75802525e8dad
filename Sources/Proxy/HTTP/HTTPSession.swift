import NIOCore
import TLS

/// One client connection in `mode http`: reads request heads strictly, routes, balances,
/// forwards the request to a pooled server connection and streams the response back.
///
/// Lives on the client's event loop with everything it touches (its `LoopContext`, its
/// `UpstreamConnection`), so no lock and no actor is involved per request. Reads are pulled
/// only when the other side can take the bytes (backpressure both ways).
final class HTTPSession: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case awaitingHead
        /// `option http-buffer-request` / `check_post`: the head is in, the body is awaited.
        case waitingForBody
        case waitingForServer
        case exchanging
        case tunnel
        case closed
    }

    enum WaitKind {
        case request, keepAlive, queue, server, client, tunnel
    }

    enum UpstreamFailure {
        case connect, closed, badResponse, timeout
    }

    let loop: LoopContext
    let frontendIndex: Int
    /// The frontend's plan, read in place from the runtime: a copy stored in each session made
    /// every idle keep-alive client hold ~600 bytes more (issue 12), and cost a retain of each
    /// of the plan's arrays and strings per accepted connection.
    var frontend: FrontendPlan {
        _read { yield loop.runtime.plan.frontends[frontendIndex] }
    }
    var context: ChannelHandlerContext?
    /// NIO's default allocator, the one every proxy channel has (none is configured):
    /// `context.channel.allocator` retained the context's pipeline and channel on each read, for
    /// every head written; made here it costs nothing and takes no room in an idle session.
    var allocator: ByteBufferAllocator { ByteBufferAllocator() }
    var phase = Phase.awaitingHead
    var inbound: ByteBuffer?
    var scanner: HTTPHeadScanner
    var pendingRead = false
    var requestsCompleted = 0
    var clientAddress: SocketAddress?
    /// The client's address as text (`option forwardfor`), made once per connection: glibc's
    /// inet_ntop formats through sprintf.
    var clientIPText: String? {
        if cachedClientIP == nil { cachedClientIP = clientAddress?.ipAddress }
        return cachedClientIP
    }
    private var cachedClientIP: String?
    var localPort: Int?
    var localAddress: SocketAddress?
    var exchange: Exchange?
    var upstream: UpstreamConnection?
    var connectGeneration = 0
    var accepted: NIODeadline
    /// The client's last read or write progress (and, in a tunnel, either side's).
    var lastActivity: NIODeadline
    /// The server's last progress during an exchange: connected, took request bytes, sent response bytes.
    var lastServerActivity: NIODeadline
    /// This session's entry in the loop's `SessionWatchdogs`; -1 without one.
    var watchdogSlot = -1
    /// What the session waits for; nil when no timeout applies.
    var watchdogKind: WaitKind? = .request
    var watchdogTimeout = TimeAmount.seconds(0)
    var watchdogDeadline = NIODeadline.distantFuture
    var needsUpstreamFlush = false
    /// The buffers the last request and response heads were written into, kept for the next ones
    /// while the session exchanges: once the channel has written a head this session holds the
    /// only reference, and clearing the buffer keeps its memory (two allocations a message
    /// fewer). Lent by the loop and given back when the session goes idle (SpareHeadBuffers).
    var requestHeadBuffer: ByteBuffer?
    var responseHeadBuffer: ByteBuffer?
    /// A response head not written yet: the body bytes of the same server read join it
    /// (`joinedBodyLimit`). Written before anything else goes to the client, and at the latest
    /// when the server's read ends.
    var pendingResponseHead: ByteBuffer?
    /// The TLS session the client came in on (`ssl_fc`, `ssl_fc_sni`, `ssl_fc_protocol`); nil on a plain bind.
    var tls: TLSConnectionInfo? { clientTLS?.info }
    private var clientTLS: ClientTLS?
    /// `sess.` variables (`set-var(sess.NAME)`), kept from one request of the connection to the next.
    var sessionVariables: [SampleValue] = []
    /// Whether requests go through `RequestFacts` (rules, routes, unique id, stats page).
    let requestReadsFacts: Bool

    init(loop: LoopContext, frontendIndex: Int) {
        self.loop = loop
        self.frontendIndex = frontendIndex
        self.requestReadsFacts = Self.readsFacts(loop.runtime.plan.frontends[frontendIndex], loop.runtime.plan)
        self.scanner = HTTPHeadScanner(limit: loop.runtime.plan.bufsize)
        self.accepted = loop.now
        self.lastActivity = accepted
        self.lastServerActivity = accepted
    }

    var runtime: ProxyRuntime { loop.runtime }
    var clientIsWritable: Bool { context?.channel.isWritable ?? false }
    var isTunnel: Bool { phase == .tunnel }

    // MARK: lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private var started = false
    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        clientAddress = context.channel.remoteAddress
        localAddress = context.channel.localAddress
        localPort = localAddress?.port
        accepted = loop.now
        loop.sessionOpened(frontend: frontendIndex)
        loop.register(self)
        loop.counters.frontends[frontendIndex].currentSessions += 1
        loop.counters.frontends[frontendIndex].totalSessions += 1
        armWatchdog(.request)
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandon()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandon()
        self.context = nil
    }

    /// The client is gone: release what this session holds.
    private func abandon() {
        // Never started (a TLS handshake that failed): nothing was counted, nothing to log here.
        guard started || phase != .awaitingHead else {
            phase = .closed
            return
        }
        defer {
            // Whatever closed the session, its watchdog goes (the loop's heap holds it strongly).
            loop.watchdogs.cancel(self)
            // Whatever closed the session, it no longer counts against maxconn.
            if started {
                started = false
                loop.sessionClosed(frontend: frontendIndex)
                loop.unregister(self)
                loop.counters.frontends[frontendIndex].currentSessions -= 1
            }
        }
        guard phase != .closed else { return }
        let wasExchanging = exchange != nil
        if !wasExchanging, requestsCompleted == 0, phase == .awaitingHead, (inbound?.readableBytes ?? 0) == 0 {
            if let clientAddress, runtime.probeConnections.claim(clientAddress) {
                // hactl's own liveness probe: not a client's session.
                loop.counters.frontends[frontendIndex].totalSessions -= 1
            } else {
                logNullConnection()
            }
        }
        phase = .closed
        stopWatchdog()
        if wasExchanging, let current = exchange {
            // A timeout that closed the client already said why ("cD", "sD").
            if current.terminationState == "--" { current.terminationState = current.responseStarted ? "CD" : "CR" }
            if current.queued { loop.dequeue(self, backend: current.backend) }
            if let upstream {
                self.upstream = nil
                upstream.close()
            }
            releaseSlot()
            logExchange()
            exchange = nil
        }
    }

    // MARK: reads

    func read(context: ChannelHandlerContext) {
        if wantsClientRead {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private var wantsClientRead: Bool {
        switch phase {
        case .awaitingHead: return true
        case .closed: return false
        case .waitingForServer, .waitingForBody:
            return hasRoomForPipelinedBytes
        case .exchanging:
            guard let exchange, !exchange.requestBodyComplete else {
                // Keep reading (and so keep the socket registered for reads, and notice a client
                // close) while what the client sends ahead fits in one head buffer.
                return hasRoomForPipelinedBytes
            }
            return upstream?.isWritable ?? false
        case .tunnel: return upstream?.isWritable ?? false
        }
    }

    private var hasRoomForPipelinedBytes: Bool {
        (inbound?.readableBytes ?? 0) < runtime.plan.bufsize
    }

    func resumeClientReadIfWanted() {
        guard pendingRead, wantsClientRead, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        loop.handlingRead { received(unwrapInboundIn(data)) }
    }

    private func received(_ bytes: ByteBuffer) {
        var buffer = bytes
        loop.counters.frontends[frontendIndex].bytesIn += buffer.readableBytes
        lastActivity = loop.now
        switch phase {
        case .awaitingHead:
            appendInbound(&buffer)
            processInbound()
        case .exchanging where !(exchange?.requestBodyComplete ?? true) && upstream != nil:
            forwardRequestBody(&buffer)
            if buffer.readableBytes > 0 { appendInbound(&buffer) }
        case .tunnel:
            upstream?.write(buffer)
            needsUpstreamFlush = true
        case .waitingForBody:
            appendInbound(&buffer)
            if requestBodyBuffered() { requestBodyWaitEnded() }
        case .waitingForServer, .exchanging:
            appendInbound(&buffer)
        case .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsUpstreamFlush {
            needsUpstreamFlush = false
            upstream?.flush()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            clientClosedInput()
            return
        }
        if let handshake = event as? TLSHandshakeCompleted {
            clientTLS = ClientTLS(handshake.info)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func clientClosedInput() {
        switch phase {
        case .tunnel:
            upstream?.shutdownOutput()
        case .awaitingHead:
            // Nothing pending: a clean close between requests.
            closeClient()
        case .waitingForServer where exchange.map { runtime.plan.backends[$0.backend].abortOnClose } ?? false:
            // `option abortonclose`: the request has not reached a server yet; drop it (HAProxy's CQ / CC).
            if let current = exchange {
                current.terminationState = current.queued ? "CQ" : "CC"
                current.responseStatus = -1
            }
            closeClient()
        case .waitingForBody:
            // The rest of the body will not come: the server gets what there is, then the client's close.
            exchange?.clientPersistent = false
            requestBodyWaitEnded()
        default:
            // The client half-closed after its request; finish the response, then close.
            exchange?.clientPersistent = false
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The client's wait (not reading) starts or ends here; a server held back by it starts afresh.
        lastActivity = loop.now
        if context.channel.isWritable { lastServerActivity = lastActivity }
        exchangeWaitChanged()
        upstream?.resumeReadIfWanted()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeClient()
    }

    private func appendInbound(_ buffer: inout ByteBuffer) {
        if inbound == nil || inbound!.readableBytes == 0 {
            inbound = buffer
        } else {
            inbound!.writeBuffer(&buffer)
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
    }

    // MARK: request heads

    /// Parses a head from the buffered bytes if one is complete.
    func processInbound() {
        guard phase == .awaitingHead, var buffer = inbound, buffer.readableBytes > 0 else { return }
        if watchdogKind == .keepAlive { armWatchdog(.request) }
        do {
            guard let span = try buffer.withUnsafeReadableBytes({ try scanner.scan($0) }) else { return }
            var storage = loop.takeFieldStorage()
            // The fields keep the read buffer until the exchange ends (`responseComplete` recycles
            // them), so the next request's read finds it uniquely owned again.
            let head = try HTTPHeadParser.parseRequest(
                buffer.getSlice(at: buffer.readerIndex + span.start, length: span.end - span.start)!,
                maxHeaderLines: runtime.plan.maxHeaderLines, storage: &storage)
            let framing = try MessageFraming.request(head)
            buffer.moveReaderIndex(forwardBy: span.end)
            // Drained: drop the reference, so the channel's pooled receive buffer is uniquely owned
            // again and the next read reuses it instead of allocating, and an idle keep-alive
            // connection holds no buffer of its own.
            inbound = buffer.readableBytes > 0 ? buffer : nil
            scanner.reset()
            if requestsCompleted == 0, head.target == "*", head.method == "OPTIONS", answerLivenessProbe() { return }
            beginRequest(consume head, framing: framing)
        } catch let error as HTTPParseError {
            loop.counters.frontends[frontendIndex].requestErrors += 1
            // Logged first, while the session still counts as active; the bytes stay buffered
            // until the answer is written so a close completing at once is not a null connection.
            logInvalidRequest(status: error.status)
            respondAndClose(status: error.status, termination: "PR")
            inbound = nil
        } catch {
            closeClient()
        }
    }

    // MARK: writing to the client

    func writeClient(_ buffer: ByteBuffer) {
        if pendingResponseHead != nil { writePendingResponseHead() }
        loop.counters.frontends[frontendIndex].bytesOut += buffer.readableBytes
        context?.write(NIOAny(buffer), promise: nil)
    }

    func flushClient() {
        writePendingResponseHead()
        if let compressor = exchange?.compressor, compressor.hasUnflushedInput { writeCompressed([], flush: .sync) }
        context?.flush()
    }

    /// Sends a proxy-generated response and closes the connection once it is written.
    func respondAndClose(status: Int, termination: String) {
        guard let context, phase != .closed else { return }
        var overrides = frontend.errorFiles
        if let current = exchange {
            for (code, text) in runtime.plan.backends[current.backend].errorFiles { overrides[code] = text }
        }
        let page = ErrorPages.page(status, overrides: overrides)
        sendAndClose(page, status: status, termination: termination, context: context)
    }

    func sendAndClose(_ text: String, status: Int, termination: String, context: ChannelHandlerContext) {
        var text = text
        var status = status
        // `http-after-response` applies to the proxy's own answers too (HAProxy §4.2).
        let backendRules = exchange.map { runtime.backends[$0.backend].plan.afterResponseRules } ?? []
        if !backendRules.isEmpty || !frontend.afterResponseRules.isEmpty {
            var facts = exchange.map { responseFacts($0, nil) }
                ?? RequestFacts(head: HTTPRequestHead(method: "", target: ""), source: clientAddress, frontendName: frontend.name)
            let rewritten = GeneratedResponse.rewrite(text, rules: backendRules + frontend.afterResponseRules, facts: &facts)
            if rewritten.status != 0 { (text, status) = rewritten }
        }
        loop.counters.frontends[frontendIndex].countResponse(status: status)
        if let current = exchange {
            current.responseStatus = status
            current.responseBytes = text.utf8.count
            current.terminationState = termination
        }
        var buffer = allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        loop.counters.frontends[frontendIndex].bytesOut += buffer.readableBytes
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in
            channel.close(promise: nil)
        }
        if exchange != nil {
            releaseSlot()
            if let upstream {
                self.upstream = nil
                upstream.close()
            }
            logExchange()
            exchange = nil
        }
        phase = .closed
        stopWatchdog()
    }

    /// Shutdown began: an idle client is closed, a busy one after its response.
    func softStop() {
        switch phase {
        case .awaitingHead where (inbound?.readableBytes ?? 0) == 0:
            closeClient()
        default:
            exchange?.clientPersistent = false
        }
    }

    func closeClient() {
        guard let context else { return }
        context.close(promise: nil)
    }

    // MARK: timeouts
    //
    // One watchdog per session at most, an entry of the loop's `SessionWatchdogs`. Arming a wait
    // only moves `watchdogDeadline`; the watchdog is set again when it fires early, so a
    // keep-alive request does not touch the loop's heap.

    func armWatchdog(_ kind: WaitKind) {
        let timeouts = frontend.timeouts
        // The backend's timeouts are read only for the waits they govern (two of the three
        // waits of every keep-alive request do not need them).
        var backendTimeouts: TimeoutPlan? { exchange.map { runtime.plan.backends[$0.backend].timeouts } }
        let timeout: TimeAmount?
        switch kind {
        case .request: timeout = timeouts.httpRequest ?? timeouts.client
        case .keepAlive: timeout = timeouts.httpKeepAlive ?? timeouts.httpRequest ?? timeouts.client
        case .queue:
            let backend = backendTimeouts
            timeout = backend?.queue ?? backend?.connect ?? timeouts.queue
        case .server: timeout = backendTimeouts?.server ?? timeouts.server
        case .client: timeout = timeouts.client
        case .tunnel:
            let backend = backendTimeouts
            timeout = backend?.tunnel ?? timeouts.tunnel ?? backend?.server ?? timeouts.client
        }
        guard let timeout, context != nil else {
            watchdogKind = nil
            return
        }
        watchdogKind = kind
        watchdogTimeout = timeout
        lastActivity = loop.now
        if kind == .server {
            lastServerActivity = lastActivity
            // The exchange also waits on the client: look again at the shorter of the two timeouts.
            if let client = timeouts.client, client < timeout { watchdogTimeout = client }
        }
        watchdogDeadline = kind == .server ? (exchangeWait()?.deadline ?? lastActivity + timeout) : lastActivity + timeout
        scheduleWatchdog(notLaterThan: watchdogDeadline)
    }

    /// Sets the watchdog for `deadline`, unless it is already set at or before it (run early,
    /// it looks again).
    private func scheduleWatchdog(notLaterThan deadline: NIODeadline) {
        if let set = loop.watchdogs.deadline(of: self), set <= deadline { return }
        loop.watchdogs.schedule(self, at: deadline)
    }

    /// No timeout applies until the next `armWatchdog` (the watchdog, if set, stays and finds nothing to do).
    func cancelWatchdog() {
        watchdogKind = nil
    }

    /// The session is over: its watchdog goes.
    func stopWatchdog() {
        watchdogKind = nil
        loop.watchdogs.cancel(self)
    }

    /// Who an exchange waits on, and until when (HAProxy's `timeout client` and `timeout
    /// server`, each counted from its own side's last progress): the client while its request
    /// body is due and the server can take it, or while it does not read what it is sent; the
    /// server unless the client's not reading is what holds it back. Nil: neither side is due.
    func exchangeWait() -> (deadline: NIODeadline, side: ExchangeSide)? {
        guard let current = exchange else { return nil }
        let clientWritable = context?.channel.isWritable ?? false
        let bodyDue = !current.requestBodyComplete && (upstream?.isWritable ?? false)
        var earliest: (deadline: NIODeadline, side: ExchangeSide)?
        if bodyDue || !clientWritable, let timeout = frontend.timeouts.client {
            earliest = (lastActivity + timeout, .client)
        }
        if clientWritable, let timeout = runtime.plan.backends[current.backend].timeouts.server ?? frontend.timeouts.server {
            let server = lastServerActivity + timeout
            if earliest.map({ server < $0.deadline }) ?? true { earliest = (server, .server) }
        }
        return earliest
    }

    enum ExchangeSide { case client, server }

    /// Brings the watchdog forward when a side's wait now ends sooner than it was set for.
    func exchangeWaitChanged() {
        guard watchdogKind == .server, context != nil, let wait = exchangeWait() else { return }
        scheduleWatchdog(notLaterThan: wait.deadline)
    }

    /// Called by the loop's `SessionWatchdogs` once the deadline set came, the entry removed.
    func watchdogFired() {
        guard context != nil, phase != .closed, var kind = watchdogKind else { return }
        let now = loop.now
        let deadline: NIODeadline
        switch kind {
        case .server:
            // Nobody due yet: look again after the shorter timeout (the waits change with writability).
            guard let wait = exchangeWait() else { return scheduleWatchdog(notLaterThan: now + watchdogTimeout) }
            deadline = wait.deadline
            if wait.side == .client { kind = .client }
        case .tunnel, .client:
            // Activity-based waits restart from the last byte seen.
            deadline = lastActivity + watchdogTimeout
        case .request, .keepAlive, .queue:
            deadline = watchdogDeadline
        }
        if deadline > now {
            scheduleWatchdog(notLaterThan: deadline)
            return
        }
        watchdogKind = nil
        switch kind {
        case .request:
            // A head that came in, or part of one, or a body still awaited (http-buffer-request): 408.
            if (inbound?.readableBytes ?? 0) > 0 || phase == .waitingForBody {
                loop.counters.frontends[frontendIndex].requestErrors += 1
                respondAndClose(status: 408, termination: "cR")
            } else {
                closeClient()
            }
        case .keepAlive:
            closeClient()
        case .queue:
            if let current = exchange, current.queued {
                loop.dequeue(self, backend: current.backend)
                exchange?.queued = false
            }
            respondAndClose(status: 503, termination: "sQ")
        case .server:
            if exchange?.responseStarted == true {
                exchange?.terminationState = "sD"
                closeClient()
            } else {
                loop.counters.backends[exchange?.backend ?? 0].responseErrors += 1
                respondAndClose(status: 504, termination: "sH")
            }
        case .client:
            // `timeout client` during the exchange: HAProxy's "cD", the server connection is dropped.
            exchange?.terminationState = "cD"
            closeClient()
        case .tunnel:
            closeClient()
        }
    }
}
