import NIOCore
import TLS

/// `server ... ssl`: puts a client `TLSHandler` on a new connection to a server, and tells the
/// session when the handshake is over, so no request is sent (and no connection is pooled)
/// before the server proved who it is.
enum UpstreamTLS {
    /// Adds the TLS handler and a `TLSHandshakeWaiter` in front of what the initializer adds next.
    static func addHandlers(to channel: any Channel, context: TLSClientContext, serverName: String?,
                            verifyHost: String?, handshakeTimeout: TimeAmount,
                            buffers: TLSRecordBuffers = TLSRecordBuffers()) throws {
        let handler = TLSHandler(client: context, serverName: serverName, verifyHost: verifyHost, handshakeTimeout: handshakeTimeout,
                                 buffers: buffers)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(eventLoop: channel.eventLoop))
    }

    /// The handshake's outcome on a connected channel: immediate success without TLS.
    static func handshakeDone(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let waiter = try? channel.pipeline.syncOperations.handler(type: TLSHandshakeWaiter.self) else {
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        return waiter.result
    }

    /// The server name `sni` asks for on a request with this Host field (its port dropped).
    static func serverName(_ source: ServerNameSource?, host: String?) -> String? {
        switch source {
        case .none: return nil
        case .constant(let name): return name
        case .requestHost:
            guard var host, !host.isEmpty else { return nil }
            if host.hasPrefix("[") {
                // [IPv6]:port
                if let end = host.firstIndex(of: "]") { host = String(host[host.index(after: host.startIndex)..<end]) }
            } else if let colon = host.lastIndex(of: ":") {
                host = String(host[..<colon])
            }
            return host.lowercased()
        }
    }

    /// Why a connection to a server failed, as the log and `hactl status` say it.
    static func reason(_ error: any Error) -> String {
        if let error = error as? TLSError { return error.description }
        return "\(error)"
    }
}

/// Completes `result` when the client handshake under it has finished, failed (with the
/// `TLSError`: a certificate that does not verify, ...), or the connection closed first.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<Void>
    private var done = false
    var result: EventLoopFuture<Void> { promise.futureResult }

    init(eventLoop: any EventLoop) {
        self.promise = eventLoop.makePromise()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.channel.closeFuture.whenComplete { _ in
            loopBound.value.complete(.failure(TLSError(.unexpectedEOF, reason: "the server closed the connection during the handshake")))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSHandshakeCompleted { complete(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is TLSError {
            complete(.failure(error))
        }
        context.fireErrorCaught(error)
    }

    private func complete(_ result: Result<Void, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
