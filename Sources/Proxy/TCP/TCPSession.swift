import NIOCore
import TLS
import NIOPosix

/// One client connection in `mode tcp`: a server is chosen when the client connects, then
/// bytes flow both ways as they arrive, each side read only while the other can write, and a
/// half-close on one side is passed on to the other (HAProxy `mode tcp`).
final class TCPSession: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let loop: LoopContext
    let frontendIndex: Int
    /// The frontend's plan, read in place from the runtime (not a copy per connection: issue 12).
    var frontend: FrontendPlan {
        _read { yield loop.runtime.plan.frontends[frontendIndex] }
    }
    private var context: ChannelHandlerContext?
    private var peer: TCPPeer?
    private var pending: [ByteBuffer] = []
    private var pendingRead = false
    private var backendIndex: Int?
    private var server: Int?
    private var retriesLeft = 0
    private var clientInputClosed = false
    private var started = false
    private var finished = false
    private var lastActivity: NIODeadline
    private let accepted: NIODeadline
    private var connectStart: NIODeadline?
    private var connected: NIODeadline?
    private var serverName = "<NOSRV>"
    private var bytesToClient = 0
    private var retriesUsed = 0
    private var idleTimer: Scheduled<Void>?
    private var finTimer: Scheduled<Void>?
    /// `stick on src` and the like: evaluated at the first connect attempt.
    private var stick: StickOutcome?

    init(loop: LoopContext, frontendIndex: Int) {
        self.loop = loop
        self.frontendIndex = frontendIndex
        self.accepted = loop.now
        self.lastActivity = accepted
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start() }
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    private func start() {
        guard !started, let context else { return }
        started = true
        loop.sessionOpened(frontend: frontendIndex)
        loop.counters.frontends[frontendIndex].currentSessions += 1
        loop.counters.frontends[frontendIndex].totalSessions += 1
        guard let backend = frontend.defaultBackend else {
            context.close(promise: nil)
            return
        }
        backendIndex = backend
        retriesLeft = loop.runtime.backends[backend].plan.retries
        armIdleTimer()
        connect(excluding: nil)
    }

    /// `timeout client` / `timeout server` (`timeout tunnel` when set): inactivity in both directions.
    private var idleTimeout: TimeAmount? {
        let backend = backendIndex.map { loop.runtime.plan.backends[$0].timeouts }
        if let tunnel = backend?.tunnel ?? frontend.timeouts.tunnel { return tunnel }
        let candidates = [frontend.timeouts.client, backend?.server ?? frontend.timeouts.server].compactMap { $0 }
        return candidates.min()
    }

    private func armIdleTimer() {
        guard let timeout = idleTimeout, let context else { return }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity + timeout) { [weak self] in
            guard let self, !self.finished else { return }
            if self.lastActivity + timeout > self.loop.now {
                self.armIdleTimer()
            } else {
                self.context?.close(promise: nil)
            }
        }
    }

    /// `timeout client-fin` / `timeout server-fin`: how long a half-closed session may linger.
    private func armFinTimer(_ timeout: TimeAmount?) {
        guard finTimer == nil, let timeout, let context else { return }
        finTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.context?.close(promise: nil)
        }
    }

    private func connect(excluding: Int?) {
        guard let context, let b = backendIndex else { return }
        let backend = loop.runtime.backends[b]
        let states = loop.serverStates(backend)
        let balancer = states.control.balancer
        var key = BalanceKey.none
        if case .source = backend.plan.balance, let source = context.channel.remoteAddress {
            key = .hash(balancer.hasher.hash(CIDR.addressBytes(source)))
        }
        if stick == nil, !backend.plan.stickRules.isEmpty {
            // Layer 4 only: the client's and the local address (the configuration refuses other fetches in mode tcp).
            let facts = RequestFacts(head: HTTPRequestHead(method: "", target: ""), source: context.channel.remoteAddress,
                                     destinationPort: context.channel.localAddress?.port, destination: context.channel.localAddress,
                                     frontendName: frontend.name)
            stick = loop.evaluateStickRules(backend, facts: facts, designated: false)
        }
        var chosen: Int?
        if let designated = stick?.server, designated != excluding, Balancer.honoursPersistence(states, server: designated) {
            chosen = designated
        } else {
            let position = backend.position.wrappingAdd(1, ordering: .relaxed).oldValue
            chosen = balancer.pick(states, position: position, key: key)
            if chosen == excluding {
                chosen = balancer.pick(states, position: position + 1, key: .none)
            }
        }
        guard let server = chosen, backend.servers[server].tryAcquireSlot() else {
            context.close(promise: nil)
            return
        }
        self.server = server
        serverName = backend.servers[server].plan.name
        if let stick { loop.storeStickEntries(stick.stores, match: stick.match, server: serverName) }
        connectStart = loop.now
        loop.counters.backends[b].totalSessions += 1
        loop.counters.servers[b][server].totalSessions += 1
        let timeout = backend.plan.timeouts.connect ?? frontend.timeouts.connect ?? .seconds(5)
        let serverPlan = backend.servers[server].plan
        let loopBound = NIOLoopBound(loop, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(timeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: ReceiveBuffers.server(bufsize: loop.runtime.plan.bufsize))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = serverPlan.tls {
                        try UpstreamTLS.addHandlers(to: channel, context: tls,
                                                    serverName: UpstreamTLS.serverName(serverPlan.serverName, host: nil),
                                                    verifyHost: serverPlan.verifyHost, handshakeTimeout: timeout,
                                                    buffers: loopBound.value.tlsBuffers)
                    }
                    try channel.pipeline.syncOperations.addHandler(TCPPeer())
                }
            }
            .connect(to: backend.servers[server].address)
            .flatMap { channel in
                UpstreamTLS.handshakeDone(channel).map { channel }.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            }
            .assumeIsolated()
            .whenComplete { [weak self] result in
                guard let self, !self.finished else {
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let channel):
                    guard let peer = try? channel.pipeline.syncOperations.handler(type: TCPPeer.self) else { return }
                    self.connected = loop.now
                    self.attach(peer)
                case .failure(let error):
                    if error is TLSError {
                        var logger = self.loop.runtime.logger
                        logger[metadataKey: "backend"] = "\(backend.plan.name)"
                        logger[metadataKey: "server"] = "\(serverPlan.name)"
                        logger[metadataKey: "reason"] = "\(UpstreamTLS.reason(error))"
                        logger.warning("TLS handshake with server failed")
                    }
                    self.releaseServer()
                    self.loop.counters.backends[b].connectionErrors += 1
                    if self.retriesLeft > 0 {
                        self.retriesLeft -= 1
                        self.retriesUsed += 1
                        self.loop.counters.backends[b].retries += 1
                        self.connect(excluding: backend.plan.redispatch ? server : nil)
                    } else {
                        self.context?.close(promise: nil)
                    }
                }
            }
    }

    private func attach(_ peer: TCPPeer) {
        self.peer = peer
        peer.session = self
        for buffer in pending { peer.write(buffer) }
        pending.removeAll()
        peer.flush()
        if clientInputClosed { peer.shutdownOutput() }
        resumeReadIfWanted()
        peer.resumeReadIfWanted()
    }

    private func releaseServer() {
        guard let b = backendIndex, let server else { return }
        self.server = nil
        loop.runtime.backends[b].servers[server].active.subtract(1, ordering: .relaxed)
        loop.serverSlotFreed(backend: b)
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func read(context: ChannelHandlerContext) {
        if peer?.isWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }

    func resumeReadIfWanted() {
        guard pendingRead, peer?.isWritable ?? false, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        lastActivity = loop.now
        loop.counters.frontends[frontendIndex].bytesIn += buffer.readableBytes
        if let peer {
            peer.write(buffer)
        } else {
            pending.append(buffer)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        peer?.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        peer?.resumeReadIfWanted()
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            clientInputClosed = true
            peer?.shutdownOutput()
            armFinTimer(frontend.timeouts.clientFin)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        idleTimer?.cancel()
        finTimer?.cancel()
        if started, frontend.tcplog || frontend.httplog {
            let line = TCPLogLine(
                client: context?.channel.remoteAddress, accepted: accepted, frontend: frontend.name,
                backend: backendIndex.map { loop.runtime.plan.backends[$0].name } ?? "<NONE>", server: serverName,
                connectStart: connectStart, connected: connected, bytes: bytesToClient,
                termination: connected == nil ? "SC" : "--", activeSessions: loop.activeSessions, retries: retriesUsed
            )
            loop.runtime.frontendLogSinks[frontendIndex].emit(line.formatted(now: loop.now))
        }
        if started {
            loop.sessionClosed(frontend: frontendIndex)
            loop.counters.frontends[frontendIndex].currentSessions -= 1
        }
        releaseServer()
        peer?.session = nil
        peer?.close()
        peer = nil
    }

    // Called by the peer.
    func peerData(_ buffer: ByteBuffer) {
        lastActivity = loop.now
        bytesToClient += buffer.readableBytes
        loop.counters.frontends[frontendIndex].bytesOut += buffer.readableBytes
        context?.write(NIOAny(buffer), promise: nil)
    }

    func peerReadComplete() {
        context?.flush()
    }

    func peerClosedInput() {
        context?.close(mode: .output, promise: nil)
        armFinTimer(backendIndex.flatMap { loop.runtime.plan.backends[$0].timeouts.serverFin } ?? frontend.timeouts.serverFin)
    }

    func peerClosed() {
        peer = nil
        context?.close(promise: nil)
    }
}

/// The server side of a `TCPSession`.
final class TCPPeer: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    weak var session: TCPSession?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func write(_ buffer: ByteBuffer) { context?.write(NIOAny(buffer), promise: nil) }
    func flush() { context?.flush() }
    func close() { context?.close(promise: nil) }
    func shutdownOutput() { context?.close(mode: .output, promise: nil) }

    func read(context: ChannelHandlerContext) {
        if session?.isWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }

    func resumeReadIfWanted() {
        guard pendingRead, session?.isWritable ?? false, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session?.peerData(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        session?.peerReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        session?.resumeReadIfWanted()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            session?.peerClosedInput()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.peerClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
