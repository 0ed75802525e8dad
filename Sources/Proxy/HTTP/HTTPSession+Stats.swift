import NIOCore

/// The statistics page (`stats uri`) and the Prometheus metrics (`prometheus-uri`,
/// `http-request use-service prometheus-exporter`): the session checks the credentials and the
/// admin condition on its loop, asks the appliance's `StatsHook` for the body off the loop (the
/// one hop, on the control path only), and writes the answer back on the loop.
extension HTTPSession {
    /// Answers `head` when it asks for the page of `stats`; false when it does not.
    func answeredStatsPage(_ head: HTTPRequestHead, facts: RequestFacts, stats: StatsPlan) -> Bool {
        guard stats.matches(head.target), let context else { return false }
        guard stats.authorized(head) else {
            let body = "401 Unauthorized: this page needs the credentials of a 'stats auth' line.\n"
            let realm = String(stats.realm.map { $0 == "\"" ? "'" : $0 })
            let text = "HTTP/1.1 401 Unauthorized\r\ncontent-length: \(body.utf8.count)\r\ncontent-type: text/plain\r\n"
                + "www-authenticate: Basic realm=\"\(realm)\"\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n" + body
            sendAndClose(text, status: 401, termination: "PR", context: context)
            return true
        }
        guard let request = stats.request(for: head, facts: facts) else {
            // A POST without `stats admin` holding, or without its parameters.
            respondAndClose(status: 403, termination: "PR")
            return true
        }
        serveStats(request)
        return true
    }

    /// Asks the hook for `request`'s answer and sends it when it comes; 503 without a hook.
    func serveStats(_ request: StatsRequest) {
        guard let context else { return }
        guard let hook = runtime.statsHook else {
            respondAndClose(status: 503, termination: "SC")
            return
        }
        context.eventLoop.makeFutureWithTask { await hook(request) }.assumeIsolated().whenSuccess { [self] answer in
            guard phase != .closed, let context = self.context else { return }
            sendAndClose(Self.render(answer), status: answer.status, termination: "LR", context: context)
        }
    }

    static func render(_ answer: StatsAnswer) -> String {
        var text = "HTTP/1.1 \(answer.status) \(ErrorPages.reason(answer.status))\r\ncontent-length: \(answer.body.utf8.count)\r\n"
            + "content-type: \(answer.contentType)\r\ncache-control: no-cache\r\n"
        for (name, value) in answer.headers { text += "\(name): \(value)\r\n" }
        return text + "connection: close\r\n\r\n" + answer.body
    }
}
