import NIOCore
import Zlib

/// Response side of `HTTPSession`: heads adapted (cookies, connection), bodies streamed,
/// connections returned to the pool, failures turned into retries or 502/503/504.
extension HTTPSession {
    func interimResponse(_ head: HTTPResponseHead) {
        guard context != nil else { return }
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeResponseHead(head)
        writeClient(buffer)
    }

    /// The server's response head, its hop-by-hop fields already dropped (`upgradeProtocol`: the
    /// `Upgrade` field of a 101). Owned, so the fields are edited in place rather than copied.
    /// `bodyBytesReady`: what the server's read holds after the head; up to `joinedBodyLimit` of it
    /// joins the head in one write (`responseBody`).
    func responseHead(_ received: consuming HTTPResponseHead, framing: BodyFraming, upgradeProtocol: String?, bodyBytesReady: Int = 0) {
        guard let current = exchange, context != nil, let server = current.server else { return }
        let backend = runtime.backends[current.backend]
        var head = consume received
        lastServerActivity = loop.now
        if !backend.plan.responseRules.isEmpty || !frontend.responseRules.isEmpty || !backend.plan.afterResponseRules.isEmpty || !frontend.afterResponseRules.isEmpty {
            var facts = responseFacts(current, head)
            // HAProxy §4.2: the backend's http-response rules, then the frontend's; after-response rules last.
            var outcome = backend.plan.responseRules.apply(to: &facts)
            if case .proceed = outcome { outcome = frontend.responseRules.apply(to: &facts) }
            if case .deny(let status) = outcome {
                loop.counters.frontends[frontendIndex].denied += 1
                respondAndClose(status: status, termination: "PH")
                return
            }
            _ = backend.plan.afterResponseRules.apply(to: &facts)
            _ = frontend.afterResponseRules.apply(to: &facts)
            if let rewritten = facts.response { head = rewritten }
        }
        let status = head.status
        current.responseStarted = true
        current.responseStatus = status
        current.responseHeadAt = loop.now
        if frontend.logsExchanges, !frontend.responseCaptures.isEmpty {
            current.responseCaptures = frontend.responseCaptures.map { $0.capture(head.fields) }
        }
        if let sticky = backend.sticky {
            sticky.adaptResponse(&head.fields, server: server, clientHadValidCookie: current.designatedServer == server,
                                 method: current.head.method, firstSeen: current.cookieFirstSeen,
                                 now: sticky.readsClock ? WallClock.seconds() : 0)
        }
        if status == 101 {
            current.tunnel = true
            head.fields.add("Connection", "upgrade")
            if let upgradeProtocol { head.fields.add("Upgrade", upgradeProtocol) }
        } else {
            if let algorithm = current.compressionAlgorithm, let compression = current.compression,
               compression.eligible(head, framing: framing, algorithm: algorithm) {
                do {
                    current.compressor = try ResponseCompressor(algorithm)
                    compression.rewrite(&head, framing: framing, algorithm: algorithm)
                } catch {
                    // zlib could not start (memory): the response goes out as the server sent it.
                    current.compressor = nil
                }
            }
            // A body delimited by the server's close can only reach the client the same way.
            if framing == .untilClose { current.clientPersistent = false }
            if !current.requestBodyComplete { current.clientPersistent = false }
            if !current.clientPersistent {
                head.fields.add("Connection", "close")
            } else if current.head.minorVersion == 0 {
                head.fields.add("Connection", "keep-alive")
            }
        }
        head.minorVersion = 1
        // `observe layer7`: server errors count against the server's health as failed checks do.
        if backend.servers[server].plan.observeLayer7, [500, 502, 503, 504].contains(status) {
            runtime.healthObserver?.layer7Failure(backend: current.backend, server: server, reason: "Layer7 wrong status \(status) (observed)")
        }
        loop.counters.frontends[frontendIndex].countResponse(status: status)
        loop.counters.backends[current.backend].countResponse(status: status)
        loop.counters.servers[current.backend][server].countResponse(status: status)
        let joined = current.tunnel || current.compressor != nil ? 0 : min(bodyBytesReady, Self.joinedBodyLimit)
        var buffer = loop.headBuffer(from: &responseHeadBuffer, minimumCapacity: 256 + head.fields.count * 32 + joined,
                                     allocator: allocator)
        buffer.writeResponseHead(head)
        loop.recycleFieldStorage(&head.fields)
        current.responseBytes += buffer.readableBytes
        pendingResponseHead = buffer
        if joined == 0 { writePendingResponseHead() }
        if current.tunnel {
            phase = .tunnel
            armWatchdog(.tunnel)
            if var pending = inbound, pending.readableBytes > 0 {
                inbound = nil
                upstream?.write(pending)
                pending.moveReaderIndex(to: pending.writerIndex)
                upstream?.flush()
            }
            resumeClientReadIfWanted()
        }
    }

    /// What response rules read: the request as sent, its variables, and `response`.
    func responseFacts(_ current: Exchange, _ response: HTTPResponseHead?) -> RequestFacts {
        var facts = RequestFacts(head: current.head, source: clientAddress, destinationPort: localPort,
                                 destination: localAddress, frontendName: frontend.name)
        facts.variables = current.variables
        facts.sessionVariables = sessionVariables
        facts.response = response
        return facts
    }

    func responseBody(_ slice: ByteBuffer) {
        // A response refused by `http-response deny` was replaced: the rest of it is dropped.
        guard exchange != nil, phase != .closed else { return }
        exchange?.responseBytes += slice.readableBytes
        lastServerActivity = loop.now
        if var head = pendingResponseHead, slice.readableBytes <= head.writableBytes {
            pendingResponseHead = nil
            head.writeImmutableBuffer(slice)
            pendingResponseHead = head
            writePendingResponseHead()
            return
        }
        writeClient(slice)
    }

    /// The most body bytes copied behind a response head so that both go out as one write.
    ///
    /// A small response arrives from the server as one read, head and body: written as two
    /// buffers it costs the client's channel two writes through the pipeline and a two-piece
    /// `writev`, and the pipeline's reference counting was much of the proxy's user time under
    /// load (issue 12). Copying a few KiB costs less; larger bodies keep going out as the slices
    /// they arrived in.
    static let joinedBodyLimit = 4096

    /// Writes the response head `responseHead` held back for the body (`joinedBodyLimit`); every
    /// write and flush towards the client comes after it.
    func writePendingResponseHead() {
        guard let head = pendingResponseHead else { return }
        pendingResponseHead = nil
        responseHeadBuffer = head
        loop.counters.frontends[frontendIndex].bytesOut += head.readableBytes
        context?.write(NIOAny(head), promise: nil)
    }

    /// Whether the body of the current response goes through a compressor.
    var compressesResponse: Bool { exchange?.compressor != nil }

    /// Payload pieces of a response being compressed (chunk framing already taken off).
    func compressedResponseBody(_ pieces: [ByteBuffer]) {
        guard !pieces.isEmpty else { return }
        lastServerActivity = loop.now
        writeCompressed(pieces, flush: .none)
    }

    /// Sends what the compressor holds: `.sync` before the proxy waits for the server again
    /// (so a slow stream is not held back), `.finish` at the end of the body.
    func writeCompressed(_ pieces: [ByteBuffer], flush: ZlibFlush) {
        guard let current = exchange, let compressor = current.compressor, context != nil else { return }
        do {
            if let chunk = try compressor.chunk(pieces, flush: flush, allocator: allocator) {
                current.responseBytes += chunk.readableBytes
                writeClient(chunk)
            }
        } catch {
            // The body cannot be completed: the client must see a truncated response, not a short one.
            current.terminationState = "PD"
            closeClient()
        }
    }

    func responseComplete(serverPersistent: Bool) {
        guard let current = exchange, let connection = upstream else { return }
        if current.compressor != nil {
            writeCompressed([], flush: .finish)
            current.compressor = nil
        }
        writePendingResponseHead()
        upstream = nil
        let reusable = serverPersistent && current.requestBodyComplete && current.connectionMode == .keepAlive
        if let server = current.server {
            loop.counters.servers[current.backend][server].bytesOut += current.responseBytes
        }
        loop.counters.backends[current.backend].bytesOut += current.responseBytes
        loop.release(connection, reusable: reusable)
        releaseSlot()
        logExchange()
        loop.recycleFieldStorage(&current.head.fields)
        exchange = nil
        requestsCompleted += 1
        guard current.clientPersistent, let context else {
            phase = .closed
            stopWatchdog()
            let channel = context?.channel
            context?.writeAndFlush(NIOAny(ByteBuffer())).assumeIsolated().whenComplete { _ in
                channel?.close(promise: nil)
            }
            return
        }
        context.flush()
        loop.takeBackHeadBuffers(&requestHeadBuffer, &responseHeadBuffer)
        phase = .awaitingHead
        armWatchdog(.keepAlive)
        processInbound()
        resumeClientReadIfWanted()
    }

    func upstreamFailed(_ failure: UpstreamFailure, connection: UpstreamConnection) {
        guard connection === upstream, let current = exchange else {
            connection.close()
            return
        }
        upstream = nil
        connection.close()
        switch failure {
        case .badResponse:
            loop.counters.backends[current.backend].responseErrors += 1
            if let server = current.server { loop.counters.servers[current.backend][server].responseErrors += 1 }
            if let server = current.server, runtime.backends[current.backend].servers[server].plan.observeLayer7 {
                runtime.healthObserver?.layer7Failure(backend: current.backend, server: server, reason: "Layer7 invalid response (observed)")
            }
            if current.responseStarted {
                exchange?.terminationState = "SD"
                closeClient()
            } else {
                respondAndClose(status: 502, termination: "SH")
            }
        case .closed, .connect, .timeout:
            if current.responseStarted {
                exchange?.terminationState = "SD"
                closeClient()
            } else if connection.responseBytes == 0 && connection.requestsServed > 1 && current.bodyBytesSent == 0 {
                // A reused connection the server had closed: try again on a fresh one.
                exchange?.retriesLeft += 1
                retryOrFail(status: 502, termination: "SH")
            } else {
                loop.counters.backends[current.backend].responseErrors += 1
                respondAndClose(status: 502, termination: "SH")
            }
        }
    }

    // MARK: tunnels (CONNECT, Upgrade)

    func forwardTunnelData(_ buffer: ByteBuffer) {
        lastActivity = loop.now
        writeClient(buffer)
    }

    func tunnelServerClosedInput() {
        context?.close(mode: .output, promise: nil)
    }

    // MARK: the liveness probe

    /// hactl's own liveness probe asks `OPTIONS *` on a connection it registered with
    /// `ProbeConnections`: answered here, by this loop, so a wedged loop fails the probe (a
    /// bare TCP connect would succeed: the kernel completes the handshake). Neither logged
    /// nor counted. Any other client's `OPTIONS *` goes on as usual (false). The lookup runs
    /// only for this rare request, never for ordinary traffic.
    func answerLivenessProbe() -> Bool {
        guard let clientAddress, let context, runtime.probeConnections.claim(clientAddress) else { return false }
        loop.counters.frontends[frontendIndex].totalSessions -= 1
        phase = .closed
        stopWatchdog()
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeString("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in channel.close(promise: nil) }
        return true
    }

    // MARK: log

    /// A connection that closed without sending anything: logged unless `option dontlognull`,
    /// as HAProxy 2.6 does (status 400, `CR--`).
    func logNullConnection() {
        guard !frontend.dontlognull else { return }
        logWithoutRequest(status: 400, termination: "CR")
    }

    /// A request refused as invalid (400, 431, ...): HAProxy logs it as `<BADREQ>` with
    /// termination state `PR--` whether or not `dontlognull` is set (it sent bytes).
    func logInvalidRequest(status: Int) {
        logWithoutRequest(status: status, termination: "PR")
    }

    /// `<BADREQ>` lines read as HAProxy's: `FRONTEND FRONTEND/<NOSRV> -1/-1/-1/-1/Ta STATUS 0 ...`.
    private func logWithoutRequest(status: Int, termination: String) {
        guard frontend.logsExchanges else { return }
        let empty = Exchange(
            head: HTTPRequestHead(method: "", target: ""), requestLine: "<BADREQ>", backend: frontend.defaultBackend ?? 0,
            framing: .none, requestFramer: BodyFramer(.none), clientPersistent: false, connectionMode: .close,
            serializedHead: nil, retriesLeft: 0, requestStart: accepted, headReceived: accepted
        )
        empty.responseStatus = status
        empty.terminationState = termination
        exchange = empty
        logExchange()
        exchange = nil
    }

    func logExchange() {
        guard let current = exchange, frontend.logsExchanges else { return }
        let backendName = runtime.plan.backends[current.backend].name
        var line = HTTPLogLine(
            client: clientAddress, accepted: accepted, frontend: frontend.name, backend: backendName,
            server: current.server == nil ? "<NOSRV>" : current.serverName, exchange: current, now: loop.now,
            activeSessions: loop.activeSessions
        )
        if !frontend.requestCaptures.isEmpty {
            line.requestCaptures = current.requestCaptures.isEmpty ? Array(repeating: "", count: frontend.requestCaptures.count) : current.requestCaptures
        }
        if !frontend.responseCaptures.isEmpty {
            line.responseCaptures = current.responseCaptures.isEmpty ? Array(repeating: "", count: frontend.responseCaptures.count) : current.responseCaptures
        }
        guard let format = frontend.logFormat else {
            runtime.frontendLogSinks[frontendIndex].emit(frontend.httplogCLF ? line.formattedCLF() : line.formatted())
            return
        }
        // `log-format`: the same measurements, in the operator's order (HAProxy §8.2.4).
        var facts = responseFacts(current, HTTPResponseHead(status: current.responseStatus, reason: ""))
        facts.uniqueID = current.uniqueID
        facts.log = line
        runtime.frontendLogSinks[frontendIndex].emit(format.evaluate(facts))
    }
}
