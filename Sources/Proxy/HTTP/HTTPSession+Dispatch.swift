import NIOCore
import NIOPosix
import TLS

/// Request side of `HTTPSession`: rules, routing, balancing, queueing, connecting, retries.
extension HTTPSession {
    /// Takes the parsed head by value: its field array then has one owner, and adding
    /// X-Forwarded-For or Connection edits it in place instead of copying it.
    func beginRequest(_ received: consuming HTTPRequestHead, framing: BodyFraming) {
        cancelWatchdog()
        if frontend.monitor != nil, answeredMonitorRequest(received, framing: framing) { return }
        let now = loop.now
        let method = received.method
        let minorVersion = received.minorVersion
        // Only the log needs the request line as text.
        let requestLine = frontend.logsExchanges ? "\(method) \(received.target) HTTP/1.\(minorVersion)" : ""
        let requestCaptures = frontend.logsExchanges && !frontend.requestCaptures.isEmpty
            ? frontend.requestCaptures.map { $0.capture(received.fields) } : []
        let asksPrometheus = frontend.prometheusURI.map { received.path == $0 } ?? false
        // The exchange gets the full head once it is rewritten (sharing it earlier would copy it).
        let current = Exchange(
            head: HTTPRequestHead(method: method, target: received.target, minorVersion: minorVersion),
            requestLine: requestLine, backend: 0, framing: framing,
            requestFramer: BodyFramer(framing), clientPersistent: false, connectionMode: frontend.connectionMode,
            serializedHead: nil, retriesLeft: 0, requestStart: lastActivity, headReceived: now
        )
        if method == "CONNECT" { current.requestFramer = BodyFramer(.none) }
        current.requestCaptures = requestCaptures
        var head: HTTPRequestHead
        let backendIndex: Int
        // Kept only for a backend with stick rules, which read the request after the cookie step.
        var stickFacts: RequestFacts?
        if requestReadsFacts {
            guard let routed = applyRequestRules(consume received, current, asksPrometheus: asksPrometheus) else { return }
            head = routed.head
            backendIndex = routed.backend
            stickFacts = routed.stickFacts
        } else {
            // No rule, route, unique id or stats page reads the request: it goes to the default
            // backend as it is, without the facts the rules would read.
            head = consume received
            backendIndex = frontend.defaultBackend ?? -1
            current.backend = max(backendIndex, 0)
            exchange = current
            phase = .waitingForServer
            if asksPrometheus {
                serveStats(StatsRequest(kind: .prometheus))
                return
            }
            guard backendIndex >= 0 else {
                respondAndClose(status: 503, termination: "SC")
                return
            }
        }
        let backend = runtime.backends[backendIndex]
        if let name = frontend.uniqueIDHeader, let id = current.uniqueID { head.fields.add(name, id) }
        let clientOptions = HopByHop.strip(&head.fields)
        let mode = Self.strictest(frontend.connectionMode, backend.plan.connectionMode)
        current.connectionMode = mode
        current.clientPersistent = clientOptions.persistent(minorVersion: minorVersion) && mode != .close && !loop.stopping
        current.retriesLeft = backend.plan.retries
        if let sticky = backend.sticky {
            let match = sticky.inspectRequestDated(&head.fields, now: sticky.readsClock ? WallClock.seconds() : 0)
            current.designatedServer = match?.server
            current.cookieFirstSeen = match?.firstSeen
        }
        if let stickFacts { applyStickRules(stickFacts, backend: backend, exchange: current) }
        if let source = clientAddress,
           let header = ForwardedFor.header(frontend: frontend.forwardFor, backend: backend.plan.forwardFor, source: source, fields: head.fields),
           let ip = clientIPText {
            head.fields.add(header, ip)
        }
        switch mode {
        case .keepAlive:
            if head.minorVersion == 0 { head.fields.add("Connection", "keep-alive") }
        case .serverClose, .close:
            // `option http-pretend-keepalive`: the server is not told; the connection is closed after the response anyway.
            if backend.plan.pretendKeepAlive {
                if head.minorVersion == 0 { head.fields.add("Connection", "keep-alive") }
            } else {
                head.fields.add("Connection", "close")
            }
        }
        if clientOptions.upgrade, let proto = clientOptions.upgradeProtocol {
            head.fields.set("Connection", "upgrade")
            head.fields.add("Upgrade", proto)
        }
        if let compression = CompressionPlan.effective(frontend: frontend.compression, backend: backend.plan.compression) {
            // Chosen from what the client accepts, before `offload` hides it from the server.
            current.compression = compression
            current.compressionAlgorithm = compression.negotiate(head)
            if compression.offload { head.fields.remove("Accept-Encoding") }
        }
        // `option http-buffer-request`, and `check_post` which reads the body to choose.
        let waitsForBody = !current.requestBodyComplete && method != "CONNECT"
            && (frontend.bufferRequest || backend.plan.bufferRequest || backend.plan.urlParamCheckPost)
        var owesContinue = false
        if waitsForBody, head.fields.first("Expect")?.equalsIgnoringASCIICase("100-continue") == true {
            // The client would wait for the server's 100 that cannot come before the body: the
            // proxy answers it (RFC 9110 §10.1.1) and the server gets the whole request.
            head.fields.remove("Expect")
            owesContinue = true
        }
        var serialized = loop.headBuffer(
            from: &requestHeadBuffer, minimumCapacity: 256 + head.fields.count * 48, allocator: allocator)
        serialized.writeRequestHead(head)
        requestHeadBuffer = serialized
        current.head = consume head
        current.serializedHead = serialized
        if waitsForBody && !requestBodyBuffered() {
            phase = .waitingForBody
            if owesContinue, context != nil {
                var interim = allocator.buffer(capacity: 32)
                interim.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
                writeClient(interim)
                flushClient()
            }
            armWatchdog(.request)
            return
        }
        dispatch()
    }

    /// Whether a request of this session's frontend needs `RequestFacts`: a rule, a route, a
    /// unique id or a stats page reads it (in the frontend or its default backend).
    static func readsFacts(_ frontend: FrontendPlan, _ plan: ProxyPlan) -> Bool {
        if frontend.uniqueIDFormat != nil || !frontend.requestRules.isEmpty || !frontend.routes.isEmpty || frontend.stats != nil {
            return true
        }
        guard let index = frontend.defaultBackend else { return false }
        let backend = plan.backends[index]
        return !backend.requestRules.isEmpty || backend.stats != nil || !backend.stickRules.isEmpty
    }

    /// The frontend's rules and routes, then the chosen backend's rules, over the request's facts.
    /// - Returns: the head as the rules left it, the backend index, and the facts when that
    ///   backend's stick rules will read them; nil when the request was answered (deny, redirect,
    ///   stats page, no backend).
    private func applyRequestRules(_ received: consuming HTTPRequestHead, _ current: Exchange, asksPrometheus: Bool)
        -> (head: HTTPRequestHead, backend: Int, stickFacts: RequestFacts?)? {
        var facts = RequestFacts(head: consume received, source: clientAddress, destinationPort: localPort,
                                 destination: localAddress, frontendName: frontend.name)
        if let tls {
            facts.tls = true
            facts.tlsServerName = tls.serverName
            facts.tlsProtocol = tls.protocolVersion
            facts.tlsCipher = tls.cipher
            facts.tlsALPN = tls.alpn
            facts.tlsClientCertificateUsed = tls.clientCertificateUsed
            facts.tlsClientVerify = tls.clientVerifyResult
            facts.tlsClientSubjectDN = tls.clientSubjectDN
            facts.tlsClientIssuerDN = tls.clientIssuerDN
        }
        facts.sessionVariables = sessionVariables
        // `unique-id-format`: made once, from the request as received, before any rule reads `%ID`.
        if let format = frontend.uniqueIDFormat { facts.uniqueID = format.evaluate(facts) }
        let outcome = frontend.requestRules.apply(to: &facts)
        let backendIndex = route(facts) ?? -1
        current.backend = max(backendIndex, 0)
        current.uniqueID = facts.uniqueID
        exchange = current
        phase = .waitingForServer
        if asksPrometheus {
            serveStats(StatsRequest(kind: .prometheus))
            return nil
        }
        if case .proceed = outcome, let stats = frontend.stats, answeredStatsPage(facts.head, facts: facts, stats: stats) { return nil }
        if answered(outcome, countingDenial: { [frontendIndex] in $0.frontends[frontendIndex].denied += 1 }) {
            sessionVariables = facts.sessionVariables
            return nil
        }
        guard backendIndex >= 0 else {
            respondAndClose(status: 503, termination: "SC")
            return nil
        }
        let backend = runtime.backends[backendIndex]
        if !backend.plan.requestRules.isEmpty,
            answered(backend.plan.requestRules.apply(to: &facts), countingDenial: { $0.backends[backendIndex].denied += 1 }) {
            return nil
        }
        if let stats = backend.plan.stats, answeredStatsPage(facts.head, facts: facts, stats: stats) { return nil }
        sessionVariables = facts.sessionVariables
        current.variables = facts.variables
        // Stick rules read the facts after the cookie step: the head is shared (copied on write).
        if !backend.plan.stickRules.isEmpty { return (facts.head, backendIndex, facts) }
        // Taken out of `facts`, not copied: the field array keeps a single owner.
        var head = HTTPRequestHead(method: "", target: "")
        swap(&head, &facts.head)
        return (head, backendIndex, nil)
    }

    /// Whether the request body waited for is in: complete, or `tune.bufsize` of it buffered
    /// (HAProxy then proceeds with what it has). A malformed body counts as in: forwarding it
    /// reports the error.
    func requestBodyBuffered() -> Bool {
        guard let current = exchange, let inbound else { return exchange?.requestBodyComplete ?? true }
        if inbound.readableBytes >= runtime.plan.bufsize { return true }
        var probe = current.requestFramer
        do {
            _ = try inbound.withUnsafeReadableBytes { try probe.consume($0) }
        } catch {
            return true
        }
        return probe.isComplete
    }

    /// The buffered body arrived (or the client stopped sending): on to the server.
    func requestBodyWaitEnded() {
        guard phase == .waitingForBody else { return }
        cancelWatchdog()
        phase = .waitingForServer
        dispatch()
    }

    /// Answers a `deny` (counted by `countingDenial`) or a `redirect`; false when the request proceeds.
    private func answered(_ outcome: RequestRuleOutcome, countingDenial: (inout LoopCounters) -> Void) -> Bool {
        switch outcome {
        case .proceed:
            return false
        case .deny(let status):
            countingDenial(&loop.counters)
            respondAndClose(status: status, termination: "PR")
        case .redirect(let location, let code, let cookie):
            if let context { sendAndClose(ErrorPages.redirect(location: location, code: code, cookie: cookie), status: code, termination: "LR", context: context) }
        case .answer(let text, let status):
            if let context { sendAndClose(text, status: status, termination: "PR", context: context) }
        case .prometheus:
            serveStats(StatsRequest(kind: .prometheus))
        case .tarpit(let status):
            // HAProxy §4.2 "http-request tarpit": held for `timeout tarpit` (default `timeout connect`), then answered.
            countingDenial(&loop.counters)
            let backendTimeouts = exchange.map { runtime.plan.backends[$0.backend].timeouts }
            let hold = frontend.timeouts.tarpit ?? backendTimeouts?.tarpit ?? frontend.timeouts.connect ?? backendTimeouts?.connect ?? .seconds(5)
            guard let context else { return true }
            context.eventLoop.assumeIsolated().scheduleTask(in: hold) { [weak self] in
                self?.respondAndClose(status: status, termination: "PT")
            }
        }
        return true
    }

    /// HAProxy combines frontend and backend connection options; the stricter one wins.
    static func strictest(_ a: ConnectionMode, _ b: ConnectionMode) -> ConnectionMode {
        if a == .close || b == .close { return .close }
        if a == .serverClose || b == .serverClose { return .serverClose }
        return .keepAlive
    }

    private func route(_ facts: RequestFacts) -> Int? {
        for rule in frontend.routes where rule.condition.evaluate(facts) { return rule.backend }
        return frontend.defaultBackend
    }

    /// Picks a server and gets a connection to it, or queues, or answers 503.
    func dispatch(excluding excluded: Int? = nil) {
        guard let current = exchange else { return }
        let backend = runtime.backends[current.backend]
        // The pick reads slot counts; taking the slot is the atomic step (another loop may win it).
        var chosen: Int?
        for _ in 0..<3 {
            guard let candidate = chooseServer(backend, current, excluding: excluded) else { break }
            if backend.servers[candidate].tryAcquireSlot() {
                chosen = candidate
                break
            }
        }
        guard let server = chosen else {
            // A server in `maint` takes nothing, so it is no reason to wait in the queue.
            let control = loop.controls[current.backend]
            let inService = backend.servers.indices.filter { backend.servers[$0].isUp && control.admin[$0] != .maint }
            if !inService.isEmpty && inService.contains(where: { !backend.servers[$0].hasFreeSlot }) && !current.queued {
                current.queued = true
                current.queueStart = loop.now
                loop.enqueue(self, backend: current.backend)
                armWatchdog(.queue)
                return
            }
            if current.queued { return }
            loop.counters.backends[current.backend].countResponse(status: 503)
            respondAndClose(status: 503, termination: "SC")
            return
        }
        current.server = server
        current.serverName = backend.servers[server].plan.name
        if !current.stickStores.isEmpty { storeStickEntries(server: server, backend: backend, exchange: current) }
        current.holdsSlot = true
        if current.queued { current.queueEnd = loop.now }
        loop.counters.backends[current.backend].totalSessions += 1
        loop.counters.backends[current.backend].currentSessions += 1
        loop.counters.servers[current.backend][server].totalSessions += 1
        loop.counters.servers[current.backend][server].currentSessions += 1
        obtainConnection(server: server)
    }

    /// Called by the loop's queue drain; true when the request left the queue.
    func retryFromQueue() -> Bool {
        guard let current = exchange, current.queued, phase == .waitingForServer else { return true }
        let backend = runtime.backends[current.backend]
        guard chooseServer(backend, current, excluding: nil) != nil else { return false }
        exchange?.queued = false
        cancelWatchdog()
        dispatch()
        return true
    }

    private func chooseServer(_ backend: BackendState, _ current: Exchange, excluding excluded: Int?) -> Int? {
        let states = loop.serverStates(backend)
        // A `drain` server keeps its persisted clients; a `maint` one sends them elsewhere.
        if let retry = current.retryServer, retry != excluded, Balancer.honoursPersistence(states, server: retry) {
            return retry
        }
        if let designated = current.designatedServer, designated != excluded,
           Balancer.honoursPersistence(states, server: designated) {
            return designated
        }
        let balancer = states.control.balancer
        let position = backend.position.wrappingAdd(1, ordering: .relaxed).oldValue
        let key = balanceKey(balancer, current)
        let pick = balancer.pick(states, position: position, key: key)
        if let pick, pick == excluded {
            // Redispatch: try the next one in turn.
            let again = balancer.pick(states, position: position + 1, key: .none)
            return again == excluded ? nil : again
        }
        return pick
    }

    private func balanceKey(_ balancer: Balancer, _ current: Exchange) -> BalanceKey {
        let hasher = balancer.hasher
        switch balancer.algorithm {
        case .source:
            guard let source = clientAddress else { return .none }
            return .hash(hasher.hash(CIDR.addressBytes(source)))
        case .uri(let key):
            return .hash(hasher.hash(key.key(of: Substring(current.head.target)).utf8))
        case .urlParameter(let name):
            if let query = current.head.query {
                for pair in query.split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    if parts.first.map({ $0 == name }) == true, parts.count == 2 {
                        return .hash(hasher.hash(parts[1].utf8))
                    }
                }
            }
            guard runtime.backends[current.backend].plan.urlParamCheckPost, current.head.method == "POST",
                  let value = FormBody.value(of: name, in: bufferedRequestPayload(current)) else { return .none }
            return .hash(hasher.hash(value))
        case .header(let name):
            guard let value = current.head.fields.first(name) else { return .none }
            return .hash(hasher.hash(value.utf8))
        default:
            return .none
        }
    }

    /// The body bytes buffered and not yet sent, without chunk framing (`check_post`).
    private func bufferedRequestPayload(_ current: Exchange) -> [UInt8] {
        guard let inbound, current.bodyBytesSent == 0 else { return [] }
        var probe = current.requestFramer
        var payload: [UInt8] = []
        inbound.withUnsafeReadableBytes { bytes in
            _ = try? probe.consume(bytes) { payload.append(contentsOf: bytes[$0]) }
        }
        return payload
    }

    func releaseSlot() {
        guard let current = exchange, current.holdsSlot, let server = current.server else { return }
        exchange?.holdsSlot = false
        runtime.backends[current.backend].servers[server].active.subtract(1, ordering: .relaxed)
        loop.counters.backends[current.backend].currentSessions -= 1
        loop.counters.servers[current.backend][server].currentSessions -= 1
        loop.counters.backends[current.backend].bytesIn += current.bodyBytesSent + (current.serializedHead?.readableBytes ?? 0)
        loop.counters.servers[current.backend][server].bytesIn += current.bodyBytesSent + (current.serializedHead?.readableBytes ?? 0)
        loop.serverSlotFreed(backend: current.backend)
    }

    private func obtainConnection(server: Int) {
        guard let current = exchange else { return }
        let backend = runtime.backends[current.backend]
        let allowReuse = backend.plan.reuseConnections && (requestsCompleted > 0 || current.head.isIdempotent)
        switch loop.pools[current.backend].acquire(server: server, allowReuse: allowReuse, now: loop.now) {
        case .reuse(let id):
            if let connection = loop.takeIdle(id), connection.isActive {
                if connection.serverName != wantedServerName(backend.servers[server].plan, current) {
                    // `sni req.hdr(host)`: a connection opened for another name is not this request's.
                    loop.release(connection, reusable: false)
                    connect(server: server)
                    return
                }
                let now = loop.now
                exchange?.connectStart = now
                exchange?.connected = now
                attach(connection)
            } else {
                obtainConnection(server: server)
            }
        case .connect:
            connect(server: server)
        }
    }

    private func connect(server: Int) {
        guard let current = exchange, let context else { return }
        let backend = runtime.backends[current.backend]
        let serverState = backend.servers[server]
        connectGeneration += 1
        let generation = connectGeneration
        exchange?.connectStart = loop.now
        let id = loop.makeConnectionID()
        let backendIndex = current.backend
        let bufsize = runtime.plan.bufsize
        let loopBound = NIOLoopBound(loop, eventLoop: context.eventLoop)
        let timeout = backend.plan.timeouts.connect ?? frontend.timeouts.connect ?? .seconds(5)
        let tls = serverState.plan.tls
        let serverName = wantedServerName(serverState.plan, current)
        let verifyHost = serverState.plan.verifyHost
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.recvAllocator, value: ReceiveBuffers.server(bufsize: bufsize))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // `timeout connect` bounds the handshake too: the server is not usable before.
                        try UpstreamTLS.addHandlers(to: channel, context: tls, serverName: serverName,
                                                    verifyHost: verifyHost, handshakeTimeout: timeout, buffers: loopBound.value.tlsBuffers)
                    }
                    let handler = UpstreamConnection(id: id, backend: backendIndex, server: server, bufsize: bufsize, loop: loopBound.value)
                    handler.serverName = serverName
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(to: serverState.address)
            .flatMap { channel in
                UpstreamTLS.handshakeDone(channel).map { channel }.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            }
            .assumeIsolated()
            .whenComplete { [self] result in
                // Strong, as the watchdog's entry: no side table for the session; `timeout connect` bounds it.
                guard generation == self.connectGeneration, self.phase == .waitingForServer else {
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let channel):
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) else {
                        channel.close(promise: nil)
                        self.connectFailed()
                        return
                    }
                    self.exchange?.connected = loop.now
                    self.attach(connection)
                case .failure(let error):
                    if error is TLSError {
                        // Logged once per failed connection, with the server and OpenSSL's reason.
                        var logger = self.runtime.logger
                        logger[metadataKey: "backend"] = "\(backend.plan.name)"
                        logger[metadataKey: "server"] = "\(serverState.plan.name)"
                        logger[metadataKey: "reason"] = "\(UpstreamTLS.reason(error))"
                        logger.warning("TLS handshake with server failed")
                    }
                    self.connectFailed()
                }
            }
    }

    /// The SNI a connection for the current request sends to `server` (nil without `sni`).
    private func wantedServerName(_ server: ServerPlan, _ current: Exchange) -> String? {
        guard server.tls != nil else { return nil }
        return UpstreamTLS.serverName(server.serverName, host: current.head.fields.first(.host))
    }

    private func connectFailed() {
        guard let current = exchange else { return }
        loop.counters.backends[current.backend].connectionErrors += 1
        if let server = current.server { loop.counters.servers[current.backend][server].connectionErrors += 1 }
        retryOrFail(status: 503, termination: "SC")
    }

    /// HAProxy `retries N` + `option redispatch`: retry the same server, and on the last
    /// retry (or when it is down) redispatch to another one.
    func retryOrFail(status: Int, termination: String) {
        guard let current = exchange else { return }
        let backend = runtime.backends[current.backend]
        guard current.retriesLeft > 0, current.bodyBytesSent == 0 || current.framing == .none else {
            respondAndClose(status: status, termination: termination)
            return
        }
        current.retriesLeft -= 1
        current.retriesUsed += 1
        loop.counters.backends[current.backend].retries += 1
        let failed = current.server
        releaseSlot()
        exchange?.server = nil
        phase = .waitingForServer
        // `option redispatch` (HAProxy's default interval): the last retry goes to another server.
        let failedIsUp = failed.map { backend.servers[$0].isUp && loop.controls[current.backend].admin[$0] != .maint } ?? false
        if backend.plan.redispatch && (current.retriesLeft == 0 || !failedIsUp) {
            loop.counters.backends[current.backend].redispatches += 1
            exchange?.retryServer = nil
            exchange?.designatedServer = nil
            dispatch(excluding: failed)
        } else if failedIsUp {
            exchange?.retryServer = failed
            dispatch()
        } else {
            exchange?.retryServer = nil
            dispatch(excluding: failed)
        }
    }

    /// Sends the head and whatever body bytes are buffered.
    private func attach(_ connection: UpstreamConnection) {
        guard let current = exchange else {
            loop.release(connection, reusable: true)
            return
        }
        upstream = connection
        connection.attach(self, method: current.head.method)
        phase = .exchanging
        if let head = current.serializedHead { connection.write(head) }
        current.tunnel = current.head.method == "CONNECT"
        if var pending = inbound, pending.readableBytes > 0, !current.requestBodyComplete {
            inbound = nil
            forwardRequestBody(&pending)
            if pending.readableBytes > 0 { inbound = pending }
        }
        connection.flush()
        armWatchdog(.server)
        resumeClientReadIfWanted()
    }

    /// Forwards the leading body bytes of `buffer` as the slices they arrived in.
    func forwardRequestBody(_ buffer: inout ByteBuffer) {
        guard let current = exchange, let upstream else { return }
        do {
            let n = try buffer.withUnsafeReadableBytes { try current.requestFramer.consume($0) }
            if n > 0, let slice = buffer.readSlice(length: n) {
                current.bodyBytesSent += n
                upstream.write(slice)
                needsUpstreamFlush = true
                // The server took request bytes: progress on its side as well as the client's.
                lastServerActivity = loop.now
            }
        } catch {
            loop.counters.frontends[frontendIndex].requestErrors += 1
            if current.responseStarted {
                closeClient()
            } else {
                respondAndClose(status: 400, termination: "PR")
            }
        }
    }

    func upstreamWritabilityChanged() {
        // While the server could not take the body the client was not read: its wait starts now.
        lastActivity = loop.now
        exchangeWaitChanged()
        resumeClientReadIfWanted()
    }
}
