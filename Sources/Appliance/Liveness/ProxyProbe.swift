public import NIOCore
public import NIOPosix
import TLS

/// One round of the liveness probe against every HTTP bind this node holds: connect, register
/// the connection with the proxy (`ProbeConnections`), ask `OPTIONS *` and wait for the proxy's
/// own `200`. The event loop that accepted the connection answers it, so a wedged loop fails
/// the round; a bare TCP connect would pass, since the kernel completes the handshake on a
/// listening socket whatever the process does. A `bind ... ssl` target is asked the same over
/// TLS, after a handshake (verification off), all within `timeout`. An address this node does
/// not hold (a VIP while BACKUP) is skipped: connecting to it would test the peer's proxy.
public struct ProxyProbe: Sendable {
    /// The result of one round.
    public enum Outcome: Sendable, Equatable {
        case success
        case failure(String)
        /// Nothing this node could probe (every bind is on an address it does not hold).
        case skipped
        /// Not answered because the proxy is at its connection limit, with every event loop
        /// running tasks in time: up, with this reason shown.
        case saturated(String)
    }

    public var targets: [LivenessTarget]
    /// For the connect and for the answer, each.
    public var timeout: TimeAmount
    private let group: any EventLoopGroup
    /// Told each connection's local address before the request is sent (the proxy answers
    /// only registered connections and leaves them out of its logs and counters).
    private let connected: @Sendable (SocketAddress) -> Void
    /// Sessions kept from round to round for TLS targets (pass the same store every round).
    private let tlsSessions: ProbeTLSSessions

    public init(targets: [LivenessTarget], timeout: TimeAmount, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                tlsSessions: ProbeTLSSessions = ProbeTLSSessions(),
                connected: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.connected = connected
        self.tlsSessions = tlsSessions
        self.targets = targets
        self.timeout = timeout
        self.group = group
    }

    /// Probes every target this node holds, stopping at the first failure.
    public func probe() async -> Outcome {
        let local = Self.localAddresses()
        var probed = 0
        for target in targets {
            guard target.host.hasPrefix("127.") || target.host == "::1" || local.contains(target.host) else { continue }
            probed += 1
            if let failure = await probe(target) { return .failure("\(target): \(failure)") }
        }
        return probed == 0 ? .skipped : .success
    }

    private func probe(_ target: LivenessTarget) async -> String? {
        let channel: any Channel
        do {
            let address = try SocketAddress(ipAddress: target.host, port: target.port)
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .connect(to: address)
                .get()
        } catch {
            return Self.describe(error)
        }
        defer { channel.close(promise: nil) }
        let answered = channel.eventLoop.makePromise(of: String.self)
        let reader = StatusLineReader(answered: answered)
        let key = target.description
        do {
            if let tls = target.tls {
                guard let context = tlsSessions.context else {
                    channel.eventLoop.execute { reader.finish(.failure(ChannelError.ioOnClosedChannel)) }
                    return "OpenSSL cannot make a client TLS context for the probe"
                }
                let serverName = tlsSessions.serverName(for: tls)
                let session = tlsSessions.session(for: key)
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(client: context, serverName: serverName, session: session))
                }.get()
            }
            try await channel.pipeline.addHandler(reader).get()
            // Registered before the handshake: the proxy looks it up once the session closes.
            if let local = channel.localAddress { connected(local) }
            var request = channel.allocator.buffer(capacity: 48)
            request.writeString("OPTIONS * HTTP/1.1\r\nHost: hactl-probe\r\n\r\n")
            // Over TLS the write completes only after the handshake: the deadline covers both,
            // and a failed write fails the round through the reader.
            channel.writeAndFlush(request).whenFailure { error in reader.finish(.failure(error)) }
        } catch {
            channel.eventLoop.execute { reader.finish(.failure(error)) }  // a promise is never left pending
            return Self.describe(error)
        }
        // Runs on the channel's loop, as the reader's callbacks do: the promise completes once.
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            reader.finish(.failure(ProbeTimeout()))
        }
        defer { deadline.cancel() }
        let result: String?
        do {
            let statusLine = try await answered.futureResult.get()
            result = statusLine.hasPrefix("HTTP/1.1 200 ") ? nil : "the proxy answered '\(statusLine)'"
        } catch is ProbeTimeout {
            result = target.tls == nil
                ? "accepted but not answered within \(timeout.nanoseconds / 1_000_000) ms (event loop stalled?)"
                : "TLS handshake and answer not done within \(timeout.nanoseconds / 1_000_000) ms (handshakes stalled?)"
        } catch {
            result = Self.describe(error)
        }
        if target.tls != nil { await keepSession(of: reader, on: channel, key: key, succeeded: result == nil) }
        return result
    }

    /// After a TLS round: the session for the next round (with TLS 1.3 the server's ticket came
    /// with the answer), or nothing after a failure.
    private func keepSession(of reader: StatusLineReader, on channel: any Channel, key: String, succeeded: Bool) async {
        guard succeeded else {
            tlsSessions.failed(key)
            return
        }
        let outcome = try? await channel.eventLoop.submit { reader.tlsOutcome }.get()
        if let (resumed, session) = outcome ?? nil { tlsSessions.completed(key, resumed: resumed, keeping: session) }
    }

    struct ProbeTimeout: Error {}

    /// Fulfils its promise with the response's status line, or fails it when the connection
    /// closes first or the deadline passes. Used only on its channel's event loop (hence
    /// `@unchecked Sendable`: the deadline task that calls `finish` runs on that loop too).
    private final class StatusLineReader: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let answered: EventLoopPromise<String>
        private var received = ""
        private var done = false
        /// Over TLS, when the answer came: whether the handshake resumed, and the session to keep
        /// (read while the connection is open: the proxy closes right after its answer).
        private(set) var tlsOutcome: (resumed: Bool, session: TLSSession?)?

        init(answered: EventLoopPromise<String>) { self.answered = answered }

        func finish(_ result: Result<String, any Error>) {
            guard !done else { return }
            done = true
            answered.completeWith(result)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
            guard let end = received.firstRange(of: "\r\n") else { return }
            if !done, let tls = try? context.pipeline.syncOperations.handler(type: TLSHandler.self) {
                tlsOutcome = (tls.connectionInfo?.sessionReused ?? false, tls.resumableSession)
            }
            finish(.success(String(received[..<end.lowerBound])))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error))  // a failed handshake: the TLS handler says why, then closes
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(ChannelError.eof))
            context.fireChannelInactive()
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return "connect timeout"
            case .eof: return "closed without an answer"
            default: break
            }
        }
        return "\(error)"
    }

    static func localAddresses() -> Set<String> {
        guard let devices = try? System.enumerateDevices() else { return [] }
        return Set(devices.compactMap { $0.address?.ipAddress })
    }
}
