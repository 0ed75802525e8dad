import NIOCore

/// HAProxy's `stats timeout`: closes a connection whose client has sent nothing for `timeout`
/// while no request of it is being answered. A request in progress (a `failover --wait` can
/// take longer than the timeout) holds the timer off until its answer is written.
final class IdleCloseHandler: ChannelDuplexHandler {
    typealias InboundIn = ControlFrame
    typealias InboundOut = ControlFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    /// Requests read and not yet answered; the session writes exactly one answer per frame.
    private var pending = 0
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += 1
        timer?.cancel()
        timer = nil
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        pending = max(0, pending - 1)
        if pending == 0 { arm(context: context) }
        context.write(data, promise: promise)
    }

    private func arm(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard pending == 0 else { return }
            context.close(promise: nil)
        }
    }
}
