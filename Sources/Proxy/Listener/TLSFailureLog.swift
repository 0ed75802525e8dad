import NIOCore
import TLS

/// Logs why a TLS connection ended before its session started, as HAProxy logs a connection
/// error: `CLIENT:PORT [DATE] FRONTEND/BIND: SSL handshake failure (REASON)`. Sits between the
/// `TLSHandler` and the session; the handler closes the connection itself.
final class TLSFailureLog: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let loop: LoopContext
    private let frontendIndex: Int
    private let bindLabel: String
    private let accepted: NIODeadline

    init(loop: LoopContext, frontendIndex: Int, bindLabel: String) {
        self.loop = loop
        self.frontendIndex = frontendIndex
        self.bindLabel = bindLabel
        self.accepted = loop.eventLoop.now
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? TLSError else {
            context.fireErrorCaught(error)
            return
        }
        let client = context.channel.remoteAddress
        let source: String
        if let client, let ip = client.ipAddress, let port = client.port { source = "\(ip):\(port)" } else { source = "-" }
        let date = HTTPLogLine.formatDate(accepted, now: loop.eventLoop.now)
        let frontend = loop.runtime.plan.frontends[frontendIndex].name
        loop.runtime.frontendLogSinks[frontendIndex].emit("\(source) [\(date)] \(frontend)/\(bindLabel): \(error)")
    }
}
