import Proxy
import Synchronization

/// Where the appliance puts the closure that answers the proxy's statistics requests (the stats
/// page, its CSV/JSON variants and admin buttons, the Prometheus metrics). The proxy is made
/// before the control that can answer (which needs the proxy), and is remade on restart and
/// reload: every instance asks through this one slot, filled once the control exists.
final class StatsHookSlot: Sendable {
    private let hook = Mutex<StatsHook?>(nil)

    func fill(_ closure: @escaping StatsHook) {
        hook.withLock { $0 = closure }
    }

    /// The answer, or 503 before the control is there (the first instants of a start).
    func answer(_ request: StatsRequest) async -> StatsAnswer {
        guard let closure = hook.withLock({ $0 }) else {
            return StatsAnswer(status: 503, contentType: "text/plain", body: "hactl is starting; statistics are not available yet\n")
        }
        return await closure(request)
    }
}
