public import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `hactl` commands' side of the control socket: connects to `path`, sends one request,
/// reads one reply, closes.
public struct ControlClient: Sendable {
    /// The socket to talk to (`-S PATH`).
    public var path: String
    /// How long to wait for the whole exchange, connecting included.
    public var timeout: Duration
    private let eventLoopGroup: any EventLoopGroup

    /// The largest reply accepted (a status report of a big configuration is a few hundred KiB).
    static let maximumReplyLength = 64 * 1024 * 1024

    public init(
        path: String = ControlServer.Configuration.defaultPath, timeout: Duration = .seconds(10),
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) {
        self.path = path
        self.timeout = timeout
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
    }

    /// Sends `command` in protocol v1 and returns the appliance's reply; a refusal (level,
    /// unknown server, permission) is `.failed`, not a thrown error.
    public func send(_ command: ControlCommand) async throws(ControlClientError) -> ControlReply {
        let line = try await exchange(JSONLinesProtocol.encodeRequest(command) + "\n", untilClose: false)
        do {
            return try JSONLinesProtocol.decodeResponse(line, to: command)
        } catch {
            throw .malformedAnswer(path: path, detail: error.description)
        }
    }

    /// Sends one line of HAProxy's runtime API (`show stat`, `set server app/s1 state drain`)
    /// and returns the whole answer text, as `socat` would print it.
    public func sendRuntimeAPI(_ line: String) async throws(ControlClientError) -> String {
        try await exchange(line + "\n", untilClose: true)
    }

    /// Writes `request`; returns the first line (JSON) or everything until the server closes.
    private func exchange(_ request: String, untilClose: Bool) async throws(ControlClientError) -> String {
        let start = ContinuousClock.now
        let timeout = self.timeout
        let channel: NIOAsyncChannel<ControlFrame, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(.nanoseconds(timeout.nanoseconds))
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LineFrameDecoder(maximumLength: Self.maximumReplyLength))
                        )
                        return try NIOAsyncChannel<ControlFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as IOError {
            throw .unreachable(path: path, errno: error.errnoCode)
        } catch ChannelError.connectTimeout {
            throw .timedOut(path: path, after: timeout)
        } catch {
            throw .unreachable(path: path, errno: EIO)
        }
        // The deadline closes the channel, which ends the read below; it is cheaper than a
        // racing task and cannot leave one behind.
        let deadline = channel.channel.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) { [channel] in
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        var lines: [String] = []
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                for try await frame in inbound {
                    guard case .line(let bytes) = frame else { break }
                    lines.append(String(decoding: bytes.readableBytesView, as: UTF8.self))
                    if !untilClose { return }
                }
            }
        } catch {
            if ContinuousClock.now - start >= timeout { throw .timedOut(path: path, after: timeout) }
            if lines.isEmpty { throw .connectionLost(path: path, detail: "\(error)") }
        }
        if lines.isEmpty {
            if ContinuousClock.now - start >= timeout { throw .timedOut(path: path, after: timeout) }
            throw .closedWithoutAnswer(path: path)
        }
        return untilClose ? lines.map { $0 + "\n" }.joined() : lines[0]
    }
}

/// Why a `hactl` command got no answer. Every description names the socket and says what to do.
public enum ControlClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Connecting failed with `errno` (ENOENT: no socket; ECONNREFUSED: nobody listening;
    /// EACCES: the socket's mode does not admit this user).
    case unreachable(path: String, errno: Int32)
    /// No (complete) answer within the timeout.
    case timedOut(path: String, after: Duration)
    /// The server closed the connection without answering.
    case closedWithoutAnswer(path: String)
    /// The connection failed while waiting for the answer.
    case connectionLost(path: String, detail: String)
    /// The answer could not be read.
    case malformedAnswer(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreachable(let path, let code):
            let hint = code == EACCES || code == EPERM
                ? "only root and the socket's owner may use it; try sudo"
                : "is hactl running? -S PATH to name another socket"
            return "cannot reach hactl at \(path): \(String(cString: strerror(code))) (\(hint))"
        case .timedOut(let path, let after):
            return "hactl at \(path) did not answer within \(after) (is it stuck? see journalctl -u hactl)"
        case .closedWithoutAnswer(let path):
            return "hactl at \(path) closed the connection without answering"
        case .connectionLost(let path, let detail):
            return "lost the connection to hactl at \(path) before its answer: \(detail)"
        case .malformedAnswer(let path, let detail):
            return "cannot read hactl's answer at \(path): \(detail)"
        }
    }
}
