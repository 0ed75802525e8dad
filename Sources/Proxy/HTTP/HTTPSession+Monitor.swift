import NIOCore

/// `monitor-uri`: the proxy answers the monitoring URI itself, before any `http-request` rule;
/// the request is neither forwarded nor logged (HAProxy's meaning).
extension HTTPSession {
    /// Answers `head` if it asks for the frontend's `monitor-uri`; false when it does not.
    func answeredMonitorRequest(_ head: HTTPRequestHead, framing: BodyFraming) -> Bool {
        guard let monitor = frontend.monitor, monitor.matches(head.target), let context else { return false }
        let facts = RequestFacts(head: head, source: clientAddress, destinationPort: localPort)
        let status = monitor.fail.contains { $0.evaluate(facts) } ? 503 : 200
        loop.counters.frontends[frontendIndex].countResponse(status: status)
        if let custom = frontend.errorFiles[status] {
            // An `errorfile` replaces the answer; its framing is the file's, so the connection ends with it.
            sendMonitorAnswer(custom, close: true, context: context)
            return true
        }
        var fields = head.fields
        let options = HopByHop.strip(&fields)
        // A body would have to be read and dropped first: answer and close instead.
        let close = framing != .none || !options.persistent(minorVersion: head.minorVersion)
            || frontend.connectionMode == .close || loop.stopping
        sendMonitorAnswer(ErrorPages.monitorAnswer(status, close: close, bodyless: head.method == "HEAD"), close: close, context: context)
        return true
    }

    private func sendMonitorAnswer(_ text: String, close: Bool, context: ChannelHandlerContext) {
        var buffer = allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        loop.counters.frontends[frontendIndex].bytesOut += buffer.readableBytes
        requestsCompleted += 1
        guard !close else {
            phase = .closed
            stopWatchdog()
            let channel = context.channel
            context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        context.writeAndFlush(NIOAny(buffer), promise: nil)
        phase = .awaitingHead
        armWatchdog(.keepAlive)
        processInbound()
        resumeClientReadIfWanted()
    }
}
