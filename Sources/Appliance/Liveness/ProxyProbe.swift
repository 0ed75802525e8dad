public import NIOCore
public import NIOPosix

/// One round of the liveness probe against every HTTP bind this node holds: connect, register
/// the connection with the proxy (`ProbeConnections`), ask `OPTIONS *` and wait for the proxy's
/// own `200`. The event loop that accepted the connection answers it, so a wedged loop fails
/// the round; a bare TCP connect would pass, since the kernel completes the handshake on a
/// listening socket whatever the process does. An address this node does not hold (a VIP
/// while BACKUP) is skipped: connecting to it would test the peer's proxy.
public struct ProxyProbe: Sendable {
    /// The result of one round.
    public enum Outcome: Sendable, Equatable {
        case success
        case failure(String)
        /// Nothing this node could probe (every bind is on an address it does not hold).
        case skipped
    }

    public var targets: [LivenessTarget]
    /// For the connect and for the answer, each.
    public var timeout: TimeAmount
    private let group: any EventLoopGroup
    /// Told each connection's local address before the request is sent (the proxy answers
    /// only registered connections and leaves them out of its logs and counters).
    private let connected: @Sendable (SocketAddress) -> Void

    public init(targets: [LivenessTarget], timeout: TimeAmount, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                connected: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.connected = connected
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
        do {
            try await channel.pipeline.addHandler(reader).get()
            if let local = channel.localAddress { connected(local) }
            var request = channel.allocator.buffer(capacity: 48)
            request.writeString("OPTIONS * HTTP/1.1\r\nHost: hactl-probe\r\n\r\n")
            try await channel.writeAndFlush(request).get()
        } catch {
            channel.eventLoop.execute { reader.finish(.failure(error)) }  // a promise is never left pending
            return Self.describe(error)
        }
        // Runs on the channel's loop, as the reader's callbacks do: the promise completes once.
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            reader.finish(.failure(ProbeTimeout()))
        }
        defer { deadline.cancel() }
        do {
            let statusLine = try await answered.futureResult.get()
            return statusLine.hasPrefix("HTTP/1.1 200 ") ? nil : "the proxy answered '\(statusLine)'"
        } catch is ProbeTimeout {
            return "accepted but not answered within \(timeout.nanoseconds / 1_000_000) ms (event loop stalled?)"
        } catch {
            return Self.describe(error)
        }
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

        init(answered: EventLoopPromise<String>) { self.answered = answered }

        func finish(_ result: Result<String, any Error>) {
            guard !done else { return }
            done = true
            answered.completeWith(result)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
            if let end = received.firstRange(of: "\r\n") { finish(.success(String(received[..<end.lowerBound]))) }
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
