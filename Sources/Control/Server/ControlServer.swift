public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The control socket: a unix stream socket on which `hactl status|failover|...` (JSON lines,
/// `JSONLinesProtocol`) and HAProxy-style tools (`RuntimeAPIRequest`) talk to the running
/// appliance. A `Service`: `run()` listens until graceful shutdown, then removes the socket.
///
/// Built on SwiftNIO's unix-domain `ServerBootstrap` rather than POSIX + a thread: the
/// appliance already runs NIO event loops, so the socket costs no thread of its own; idle
/// timeouts are loop timers rather than a poll loop; slow or hostile clients never hold a
/// thread; and answers are written with NIO's backpressure, so a client that disconnects mid-
/// answer only fails its own write.
///
/// Access, in this order, for every connection:
/// 1. the file mode (default 0600) and owner (`user`/`group`) decide who may connect at all;
/// 2. `SO_PEERCRED`: only uid 0 or the socket file's owner may talk; others get one error line
///    and are closed (a mode opened wider by mistake still admits no one else);
/// 3. the socket's `level` (`ControlLevel`) decides which commands run.
///
/// Hostile input: a line over `maximumLineLength` gets an error and the connection is closed;
/// a line that is not text gets an error and is closed; a client silent for `idleTimeout` is
/// closed; connections beyond `maximumConnections` get an error line and are closed.
public struct ControlServer: Service {
    /// Where and how the socket is created (HAProxy's `stats socket` / `stats timeout`).
    public struct Configuration: Sendable {
        /// The path `hactl` commands use when not told otherwise (`-S PATH`).
        public static let defaultPath = "/run/hactl/hactl.sock"

        /// The socket file; its parent directory is created if missing (mode 0755).
        public var path: String
        /// The socket file's permission bits. HAProxy leaves them to the umask unless `mode`
        /// is given; hactl defaults to 0600 (root, or `user`, only).
        public var mode: UInt32
        /// Owner to give the socket file (`chown`); nil keeps the process's user.
        public var user: String?
        /// Group to give the socket file; nil keeps the process's group.
        public var group: String?
        /// What clients of this socket may do. HAProxy's default is `operator`; hactl's is
        /// `admin`, since the socket admits only root and its owner.
        public var level: ControlLevel
        /// HAProxy's `stats timeout` (default 10 s): a silent client is closed after this.
        public var idleTimeout: Duration
        /// The longest request line accepted, in bytes.
        public var maximumLineLength: Int
        /// Connections served at once; more are refused with an error line.
        public var maximumConnections: Int

        public init(
            path: String = Configuration.defaultPath, mode: UInt32 = 0o600, user: String? = nil, group: String? = nil,
            level: ControlLevel = .admin, idleTimeout: Duration = .seconds(10), maximumLineLength: Int = 64 * 1024,
            maximumConnections: Int = 256
        ) {
            self.path = path
            self.mode = mode
            self.user = user
            self.group = group
            self.level = level
            self.idleTimeout = idleTimeout
            self.maximumLineLength = maximumLineLength
            self.maximumConnections = maximumConnections
        }
    }

    private let configuration: Configuration
    private let responder: any ControlResponder
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: @Sendable () -> Void

    /// - Parameters:
    ///   - configuration: path, permissions, level, limits.
    ///   - responder: answers the commands (the appliance).
    ///   - logger: connection problems are logged at `debug`, socket setup failures thrown.
    ///   - eventLoopGroup: where the socket's I/O runs; nil for NIO's process-wide singleton.
    ///   - onListening: called once the socket accepts connections with its final mode and
    ///     owner (the appliance may report readiness then; tests wait for it).
    public init(
        configuration: Configuration, responder: any ControlResponder, logger: Logger = Logger(label: "hactl.control"),
        eventLoopGroup: (any EventLoopGroup)? = nil,
        onListening: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.onListening = onListening
    }

    /// Listens until graceful shutdown (or cancellation), then closes every connection and
    /// removes the socket file. Throws `ControlServerError` when the socket cannot be set up.
    public func run() async throws {
        let path = configuration.path
        try SocketFile.prepare(path: path)
        let lineLimit = configuration.maximumLineLength
        let idle = TimeAmount.nanoseconds(configuration.idleTimeout.nanoseconds)
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: path) { channel in
                    PeerCredentials.read(from: channel).flatMapThrowing { peer in
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLength: lineLimit)))
                        try channel.pipeline.syncOperations.addHandler(IdleCloseHandler(timeout: idle))
                        let async = try NIOAsyncChannel<ControlFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                        return Connection(channel: async, peer: peer)
                    }
                }
        } catch {
            throw ControlServerError.cannotListen(path: path, reason: "\(error)")
        }
        let identity: SocketFile.Identity
        do {
            identity = try SocketFile.applyOwnership(path: path, mode: configuration.mode, user: configuration.user, group: configuration.group)
        } catch {
            try? await server.channel.close()
            SocketFile.remove(path: path, ifStill: nil)
            throw error
        }
        logger.info("control socket listening", metadata: ["path": "\(path)", "level": "\(configuration.level.rawValue)"])
        onListening()

        let slots = ConnectionSlots(limit: configuration.maximumConnections)
        defer { SocketFile.remove(path: path, ifStill: identity) }
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            await serve(connection, ownerUID: identity.owner, slots: slots)
                        }
                    }
                    // Shutting down: connections still open end now, not at their idle timeout.
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
        logger.info("control socket closed", metadata: ["path": "\(path)"])
    }

    /// One accepted connection and who is on the other end.
    struct Connection: Sendable {
        var channel: NIOAsyncChannel<ControlFrame, ByteBuffer>
        var peer: PeerCredentials?
    }

    private func serve(_ connection: Connection, ownerUID: uid_t, slots: ConnectionSlots) async {
        let admitted = slots.acquire()
        defer { if admitted { slots.release() } }
        let session = ControlSession(level: configuration.level, responder: responder, pid: getpid())
        var metadata: Logger.Metadata = ["path": "\(configuration.path)"]
        if let peer = connection.peer { metadata["peer_uid"] = "\(peer.uid)"; metadata["peer_pid"] = "\(peer.pid)" }
        do {
            let channel = connection.channel.channel
            // Answers are written on the channel itself, awaiting the flush: the async writer
            // returns once a write is queued, and closing after it would drop what is still
            // queued (a `show stat` of a large configuration is several MiB).
            @Sendable func write(_ buffer: ByteBuffer) async throws {
                try await channel.writeAndFlush(buffer)
            }
            try await connection.channel.executeThenClose { frames, _ in
                guard let peer = connection.peer else {
                    try await write(Self.errorLine("cannot tell who is connecting (SO_PEERCRED failed); closing"))
                    return
                }
                guard peer.uid == 0 || peer.uid == ownerUID else {
                    try await write(Self.errorLine(
                        "permission denied: uid \(peer.uid) may not use this control socket (only root and its owner, uid \(ownerUID))"
                    ))
                    return
                }
                guard admitted else {
                    try await write(Self.errorLine(
                        "too many control connections (limit \(configuration.maximumConnections)); try again"
                    ))
                    return
                }
                for try await frame in frames {
                    switch frame {
                    case .overlong:
                        try await write(Self.errorLine("request line longer than \(configuration.maximumLineLength) bytes; closing"))
                        return
                    case .line(let bytes):
                        guard let line = Self.text(bytes) else {
                            try await write(Self.errorLine("request is not text (binary or invalid UTF-8); closing"))
                            return
                        }
                        let answer = await session.answer(line)
                        try await write(ByteBuffer(string: answer.text))
                        if answer.close { return }
                    }
                }
            }
        } catch {
            // The client went away (mid-answer, or reset): its connection is done, nothing else is.
            logger.debug("control connection ended", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// A line is text when it is valid UTF-8 without control characters other than tab and a
    /// trailing carriage return.
    static func text(_ bytes: ByteBuffer) -> String? {
        let view = bytes.readableBytesView
        guard !view.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0D || $0 == 0x7F }) else { return nil }
        guard var line = String(validating: view, as: UTF8.self) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    static func errorLine(_ message: String) -> ByteBuffer {
        ByteBuffer(string: JSONLinesProtocol.encodeError(message) + "\n")
    }
}

/// Counts connections being served against the limit.
final class ConnectionSlots: Sendable {
    private let count = Mutex(0)
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot; false when all are taken.
    func acquire() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() {
        count.withLock { $0 -= 1 }
    }
}

/// Why the control socket could not be set up.
public enum ControlServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, errno: Int32)
    /// Another process answers on the path (a second hactl?); it is left alone.
    case socketInUse(path: String)
    /// Something other than a socket is at the path; it is left alone.
    case notASocket(path: String)
    case cannotListen(path: String, reason: String)
    case unknownUser(String)
    case unknownGroup(String)
    case cannotSetOwnership(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let code):
            "cannot create the directory of control socket \(path): \(String(cString: strerror(code)))"
        case .socketInUse(let path):
            "control socket \(path) is in use by another process (another hactl running?)"
        case .notASocket(let path):
            "\(path) exists and is not a socket; remove it or choose another control socket path"
        case .cannotListen(let path, let reason):
            "cannot listen on control socket \(path): \(reason)"
        case .unknownUser(let name):
            "control socket user \"\(name)\" does not exist"
        case .unknownGroup(let name):
            "control socket group \"\(name)\" does not exist"
        case .cannotSetOwnership(let path, let code):
            "cannot set mode/owner of control socket \(path): \(String(cString: strerror(code)))"
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
