import NIOCore

/// One clock reading per socket read.
///
/// Everything one read sets off (parse the head, route, take a pooled connection, forward, arm
/// the timers; on the server side, the response head, its body, the end of the exchange) happens
/// within microseconds, and each step used to read the clock again: ten reads per proxied
/// request, 1 % of the proxy's CPU (perf, issue 12). Within a read they now share the reading
/// taken when it began; outside one (timers, connects, closes), `now` reads the clock.
extension LoopContext {
    /// The loop's clock (a test's embedded loop keeps its own).
    var now: NIODeadline { readTime ?? eventLoop.now }

    /// Runs `body` for one socket read, with `now` fixed at its start (restored after, so a read
    /// handled inside another keeps the outer one's reading correct).
    @inline(__always)
    func handlingRead(_ body: () -> Void) {
        let outer = readTime
        readTime = eventLoop.now
        body()
        readTime = outer
    }
}
