public import FoundationEssentials
public import HACore
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The authenticated TCP channel between the two hactl nodes of a pair (HAProxy's `peers`
/// section shape, hactl's `peer-key`): crash detection and health exchange. A thin NIO shell
/// around `PeerLinkStateMachine` (the link's life) and `PeerSession` (framing, HMAC-SHA256,
/// replay protection), on one event loop of its own.
///
/// A swift-service-lifecycle `Service`: `run()` returns after graceful shutdown or cancellation.
public final class PeerLink: Service, Sendable {
    public struct Settings: Sendable {
        public var localName: String
        public var listenHost: String
        public var listenPort: Int
        public var peerName: String
        public var peerHost: String
        public var peerPort: Int
        public var key: [UInt8]
        public var timing: PeerLinkStateMachine.Timing

        public init(
            localName: String, listenHost: String, listenPort: Int, peerName: String, peerHost: String, peerPort: Int,
            key: [UInt8], timing: PeerLinkStateMachine.Timing = .init()
        ) {
            self.localName = localName
            self.listenHost = listenHost
            self.listenPort = listenPort
            self.peerName = peerName
            self.peerHost = peerHost
            self.peerPort = peerPort
            self.key = key
            self.timing = timing
        }

        /// The peer whose name sorts first dials; the other accepts. Both configurations agree.
        public var role: PeerLinkStateMachine.Role { localName < peerName ? .dialer : .acceptor }
    }

    /// What the link tells the appliance.
    public enum Event: Sendable {
        case up(peer: String)
        case lost(peer: String, PeerLinkStateMachine.LossReason, lastHealth: PeerHealth?)
        case health(PeerHealth)
        /// Stick-table entries the peer pushed (see `StickRecord`).
        case stick([StickRecord])
        /// The peer asks for every live entry (its proxy restarted with empty tables while the
        /// link stayed up, so the resync that follows a connection will not come).
        case stickResyncRequested
        case refused(String)
    }

    /// What `hactl status` shows of the peer.
    public struct Status: Sendable, Hashable {
        public var peerName: String
        public var up: Bool
        /// Wall-clock time of the last change (up or down); nil before the first.
        public var since: Date?
        public var lastHealth: PeerHealth?
    }

    public enum KeyError: Error, CustomStringConvertible {
        case unreadable(String, String)
        case tooShort(String, Int)

        public var description: String {
            switch self {
            case .unreadable(let path, let why): return "peer-key \(path): \(why)"
            case .tooShort(let path, let count): return "peer-key \(path): \(count) bytes; at least 16 bytes of secret are needed"
            }
        }
    }

    /// Reads a key file: its bytes, without trailing blanks and newlines; at least 16 bytes.
    public static func loadKey(path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyError.unreadable(path, "cannot be read")
        }
        var bytes = Array(data)
        while let last = bytes.last, last == 0x0a || last == 0x0d || last == 0x20 || last == 0x09 { bytes.removeLast() }
        guard bytes.count >= 16 else { throw KeyError.tooShort(path, bytes.count) }
        return bytes
    }

    public let settings: Settings
    let logger: Logger
    let onEvent: @Sendable (Event) -> Void
    let localHealth: Mutex<PeerHealth>
    let statusBox: Mutex<Status>
    let driverBox: Mutex<Driver?> = Mutex(nil)

    public init(settings: Settings, logger: Logger, onEvent: @escaping @Sendable (Event) -> Void) {
        self.settings = settings
        var logger = logger
        logger[metadataKey: "peer"] = "\(settings.peerName)"
        self.logger = logger
        self.onEvent = onEvent
        self.localHealth = Mutex(PeerHealth(node: settings.localName, proxyUp: true))
        self.statusBox = Mutex(Status(peerName: settings.peerName, up: false, since: nil, lastHealth: nil))
    }

    public var status: Status { statusBox.withLock { $0 } }

    /// Replaces what this node reports; sent at once when it changed and the channel is up.
    public func updateLocalHealth(_ update: @Sendable (inout PeerHealth) -> Void) {
        let changed = localHealth.withLock { health -> Bool in
            let before = health
            update(&health)
            return health != before
        }
        guard changed, let driver = driverBox.withLock({ $0 }) else { return }
        driver.loop.execute { driver.sendHealthNow() }
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let driver = Driver(link: self, loop: group.next())
        driverBox.withLock { $0 = driver }
        var failure: (any Error)?
        do {
            try await driver.loop.flatSubmit { driver.start() }.get()
            try await gracefulShutdown()
        } catch is CancellationError {
        } catch {
            logger.error("peer link failed", metadata: ["error": "\(error)"])
            failure = error
        }
        driverBox.withLock { $0 = nil }
        try? await driver.loop.flatSubmit { driver.stop() }.get()
        try? await group.shutdownGracefully()
        if let failure { throw failure }
    }
}

extension PeerLink {
    /// The loop-confined half: the machine, the connections, the timer.
    final class Driver: @unchecked Sendable {
        struct Connection {
            var channel: (any Channel)?
            var session: PeerSession
            var closingByUs = false
        }

        unowned let link: PeerLink
        let loop: any EventLoop
        var machine: PeerLinkStateMachine
        var connections: [PeerLinkStateMachine.ConnectionID: Connection] = [:]
        var timer: Scheduled<Void>?
        var listener: (any Channel)?
        /// Stick-table entries waiting for a writable channel (bounded: `PeerLink.stickQueueLimit`).
        var stickQueue: [StickRecord] = []
        var stickDropped = 0

        init(link: PeerLink, loop: any EventLoop) {
            self.link = link
            self.loop = loop
            self.machine = PeerLinkStateMachine(role: link.settings.role, timing: link.settings.timing)
        }

        var settings: Settings { link.settings }

        func newSession() -> PeerSession {
            PeerSession(key: settings.key, localName: settings.localName, acceptedNames: [settings.peerName])
        }

        func start() -> EventLoopFuture<Void> {
            link.logger.info(
                "peer link starting",
                metadata: [
                    "local": "\(settings.localName) \(settings.listenHost):\(settings.listenPort)",
                    "remote": "\(settings.peerHost):\(settings.peerPort)", "role": "\(settings.role)",
                ])
            guard settings.role == .acceptor else {
                run(machine.start(now: .now()))
                return loop.makeSucceededVoidFuture()
            }
            return ServerBootstrap(group: loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    let (id, actions) = machine.accepted(now: .now())
                    connections[id] = Connection(channel: channel, session: newSession())
                    link.logger.debug("peer connection accepted", metadata: ["connection": "\(id)", "from": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(FrameHandler(driver: self, id: id))
                    }.map { self.run(actions) }
                }
                .bind(host: settings.listenHost, port: settings.listenPort)
                .map { channel in
                    self.listener = channel
                    self.run(self.machine.start(now: .now()))
                }
        }

        func stop() -> EventLoopFuture<Void> {
            run(machine.stop())
            timer?.cancel()
            let listener = self.listener
            self.listener = nil
            return listener?.close().recover { _ in } ?? loop.makeSucceededVoidFuture()
        }

        func sendHealthNow() {
            if case .up(let id) = machine.state { run([.sendHealth(id)]) }
        }

        func run(_ actions: [PeerLinkStateMachine.Action]) {
            for action in actions {
                switch action {
                case .connect(let id):
                    connections[id] = Connection(channel: nil, session: newSession())
                    ClientBootstrap(group: loop)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .connectTimeout(settings.timing.handshakeTimeout)
                        .channelInitializer { channel in
                            // Runs on `loop`, the driver's own loop: the handler never leaves it.
                            channel.eventLoop.assertInEventLoop()
                            return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FrameHandler(driver: self, id: id)) }
                        }
                        .connect(host: settings.peerHost, port: settings.peerPort)
                        .whenComplete { result in
                            switch result {
                            case .success(let channel):
                                if self.connections[id] != nil {
                                    self.connections[id]?.channel = channel
                                    self.run(self.machine.connected(id, now: .now()))
                                } else {
                                    channel.close(promise: nil)
                                }
                            case .failure(let error):
                                self.link.logger.debug("peer connect failed", metadata: ["error": "\(error)"])
                                self.connections[id] = nil
                                self.run(self.machine.connectFailed(id, now: .now()))
                            }
                        }
                case .sendHello(let id):
                    if let connection = connections[id] { write(connection.session.hello(), on: id) }
                case .sendHealth(let id):
                    guard connections[id]?.session.authenticated == true else { continue }
                    let payload = link.localHealth.withLock { $0 }.encoded()
                    if let frame = connections[id]?.session.seal(.health, payload: payload) { write(frame, on: id) }
                    flushStick()
                case .close(let id):
                    guard var connection = connections[id] else { continue }
                    connection.closingByUs = true
                    connections[id] = connection
                    connection.channel?.close(promise: nil)
                    if connection.channel == nil { connections[id] = nil }
                case .armTimer(let deadline):
                    timer?.cancel()
                    timer = nil
                    if deadline != .distantFuture {
                        timer = loop.scheduleTask(deadline: deadline) { [self] in run(machine.timerFired(now: .now())) }
                    }
                case .peerUp:
                    link.logger.notice("peer link up", metadata: ["remote": "\(settings.peerHost):\(settings.peerPort)"])
                    link.statusBox.withLock { $0.up = true; $0.since = Date() }
                    link.onEvent(.up(peer: settings.peerName))
                case .peerLost(let reason):
                    stickQueue = []  // the next connection starts with a full resync
                    link.logger.warning("peer link lost", metadata: ["reason": "\(reason)"])
                    let last = link.statusBox.withLock { status -> PeerHealth? in
                        status.up = false
                        status.since = Date()
                        return status.lastHealth
                    }
                    link.onEvent(.lost(peer: settings.peerName, reason, lastHealth: last))
                case .logRefused(let id, let reason):
                    let from = connections[id]?.channel?.remoteAddress.map { "\($0)" } ?? "?"
                    link.logger.error("peer connection refused", metadata: ["from": "\(from)", "reason": "\(reason)"])
                    link.onEvent(.refused(reason))
                }
            }
        }

        func write(_ bytes: [UInt8], on id: PeerLinkStateMachine.ConnectionID) {
            guard let channel = connections[id]?.channel else { return }
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(buffer, promise: nil)
        }

        // MARK: From the connections

        func received(_ body: [UInt8], on id: PeerLinkStateMachine.ConnectionID) {
            guard var connection = connections[id], !connection.closingByUs else { return }
            do {
                let frame = try connection.session.open(body)
                switch frame.type {
                case .hello:
                    let ready = connection.session.seal(.ready)
                    connections[id] = connection
                    write(ready, on: id)
                case .ready:
                    connections[id] = connection
                    run(machine.authenticated(id, now: .now()))
                case .stick:
                    connections[id] = connection
                    run(machine.frameReceived(id, now: .now()))
                    receivedStick(frame.payload)
                case .health:
                    connections[id] = connection
                    run(machine.frameReceived(id, now: .now()))
                    if let health = PeerHealth.decode(frame.payload) {
                        let before = link.statusBox.withLock { status in
                            defer { status.lastHealth = health }
                            return status.lastHealth
                        }
                        if before != health {
                            link.logger.info(
                                "peer health changed",
                                metadata: [
                                    "proxy": "\(health.proxyUp ? "UP" : "DOWN")",
                                    "instances": "\(health.instances.map { "\($0.name)=\($0.state)/\($0.priority)" }.joined(separator: ","))",
                                ])
                        }
                        link.onEvent(.health(health))
                    }
                }
            } catch {
                run(machine.refused(id, reason: error.description, now: .now()))
            }
        }

        func refuse(_ id: PeerLinkStateMachine.ConnectionID, reason: String) {
            run(machine.refused(id, reason: reason, now: .now()))
        }

        /// The connection's error, as `FrameHandler` classified it; the machine decides what it
        /// means. The channel's `channelInactive` that follows finds the connection already ended.
        func failed(_ id: PeerLinkStateMachine.ConnectionID, byPeer: Bool) {
            guard var connection = connections[id], !connection.closingByUs else { return }
            connection.closingByUs = true
            connections[id] = connection
            run(byPeer ? machine.closedByPeer(id, now: .now()) : machine.failedLocally(id, now: .now()))
        }

        /// End of stream: the peer's FIN, unless we were closing it ourselves.
        func closed(_ id: PeerLinkStateMachine.ConnectionID) {
            guard let connection = connections.removeValue(forKey: id) else { return }
            run(connection.closingByUs ? machine.closedLocally(id, now: .now()) : machine.closedByPeer(id, now: .now()))
        }
    }

    /// Cuts the byte stream into frame bodies (after the 4-byte length) for the driver.
    final class FrameHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let driver: Driver
        let id: PeerLinkStateMachine.ConnectionID
        var buffer = ByteBuffer()

        init(driver: Driver, id: PeerLinkStateMachine.ConnectionID) {
            self.driver = driver
            self.id = id
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            buffer.writeBuffer(&incoming)
            while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) {
                guard length <= PeerSession.maximumFrameLength else {
                    driver.refuse(id, reason: "frame of \(length) bytes (not a hactl peer?)")
                    buffer.clear()
                    return
                }
                guard buffer.readableBytes >= 4 + Int(length) else { return }
                buffer.moveReaderIndex(forwardBy: 4)
                let body = buffer.readBytes(length: Int(length))!
                driver.received(body, on: id)
            }
            buffer.discardReadBytes()
        }

        func channelInactive(context: ChannelHandlerContext) {
            driver.closed(id)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // Only classifies: ECONNRESET is the peer's doing (its kernel resets the connection of
            // a dead process); any other socket error is this side's (ECONNABORTED after `ss -K`).
            // `PeerLinkStateMachine.closedByPeer` / `failedLocally` decide what each means.
            if let io = error as? IOError { driver.failed(id, byPeer: io.errnoCode == ECONNRESET) }
            context.close(promise: nil)
        }
    }
}
