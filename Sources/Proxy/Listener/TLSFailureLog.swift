import NIOCore
import TLS

/// Logs why a TLS connection ended before its session started, as HAProxy logs a connection
/// error: `CLIENT:PORT [DATE] FRONTEND/BIND: SSL handshake failure (REASON)`, and counts it in
/// the frontend's `handshakeFailures`. Sits between the `TLSHandler` and the session; the
/// handler closes the connection itself. While the handshake runs, the connection holds a
/// `maxconn` slot of the frontend.
final class TLSFailureLog: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let loop: LoopContext
    private let frontendIndex: Int
    private let bindLabel: String
    private let accepted: NIODeadline
    private var holdsSlot = false
    private var handshakeCompleted = false

    init(loop: LoopContext, frontendIndex: Int, bindLabel: String) {
        self.loop = loop
        self.frontendIndex = frontendIndex
        self.bindLabel = bindLabel
        self.accepted = loop.now
    }

    func handlerAdded(context: ChannelHandlerContext) {
        holdsSlot = true
        loop.handshakeStarted(frontend: frontendIndex)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseSlot()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSHandshakeCompleted {
            handshakeCompleted = true
            releaseSlot()
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func releaseSlot() {
        guard holdsSlot else { return }
        holdsSlot = false
        loop.handshakeEnded(frontend: frontendIndex)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? TLSError else {
            context.fireErrorCaught(error)
            return
        }
        if !handshakeCompleted { loop.counters.frontends[frontendIndex].handshakeFailures += 1 }
        let client = context.channel.remoteAddress
        let source: String
        if let client, let ip = client.ipAddress, let port = client.port { source = "\(ip):\(port)" } else { source = "-" }
        let date = HTTPLogLine.formatDate(accepted, now: loop.now)
        let frontend = loop.runtime.plan.frontends[frontendIndex].name
        loop.runtime.frontendLogSinks[frontendIndex].emit("\(source) [\(date)] \(frontend)/\(bindLabel): \(error)")
    }
}
