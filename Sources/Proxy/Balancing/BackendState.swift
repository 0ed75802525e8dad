import NIOCore
import Synchronization

/// The part of a server's state every event loop reads: UP/DOWN, active connections.
/// Atomics, so a pick never takes a lock or hops to another loop.
final class ServerState: Sendable {
    let plan: ServerPlan
    let address: SocketAddress
    /// Where health checks go (`addr`, `port`), the server address by default.
    let checkAddress: SocketAddress
    let up: Atomic<Bool>
    let active = Atomic<Int>(0)
    /// When the server last came UP (uptime nanoseconds); 0 when it has been up since start.
    let upSince = Atomic<Int64>(0)
    /// When the server last changed state (uptime nanoseconds); 0 = never.
    let lastChange = Atomic<Int64>(0)
    let lastCheck = Mutex<String>("")
    /// The outcome of the most recent health check (nil before the first), for `hactl status`.
    /// Written by the checker, read by snapshots: never on the request path.
    let lastCheckResult = Mutex<(passed: Bool, reason: String)?>(nil)

    init(plan: ServerPlan, address: SocketAddress, checkAddress: SocketAddress) {
        self.plan = plan
        self.address = address
        self.checkAddress = checkAddress
        self.up = Atomic(!plan.disabled)
    }

    var isUp: Bool { up.load(ordering: .relaxed) }

    var hasFreeSlot: Bool {
        plan.maxconn == 0 || active.load(ordering: .relaxed) < plan.maxconn
    }

    /// Takes one of the server's `maxconn` slots if one is free, atomically across loops.
    func tryAcquireSlot() -> Bool {
        guard plan.maxconn > 0 else {
            active.add(1, ordering: .relaxed)
            return true
        }
        var current = active.load(ordering: .relaxed)
        while current < plan.maxconn {
            let (exchanged, original) = active.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }
}

/// A backend as the data path sees it: its plan, sticky cookie and servers. (The balancer, built
/// from the operator's current weights, is each loop's `BackendControl`.)
final class BackendState: Sendable {
    let index: Int
    let plan: BackendPlan
    let sticky: StickyCookie?
    let servers: [ServerState]
    /// Shared round-robin position: consecutive picks alternate across every loop.
    let position = Atomic<Int>(0)
    /// Requests waiting in any loop's queue (so a release on one loop wakes the others).
    let queued = Atomic<Int>(0)

    init(index: Int, plan: BackendPlan, addresses: [(SocketAddress, SocketAddress)]) {
        self.index = index
        self.plan = plan
        self.sticky = plan.cookie.map { StickyCookie(persistence: $0, serverValues: plan.servers.map(\.cookie)) }
        self.servers = zip(plan.servers, addresses).map { ServerState(plan: $0, address: $1.0, checkAddress: $1.1) }
    }

    var anyServerUp: Bool { servers.contains { $0.isUp } }
}

/// `ServerStates` over the atomics and the loop's `BackendControl` (admin states, weights), for
/// `Balancer.pick`.
struct LiveServerStates: ServerStates {
    let backend: BackendState
    let control: BackendControl

    var serverCount: Int { backend.servers.count }
    func isUp(_ server: Int) -> Bool { backend.servers[server].isUp }
    func isBackup(_ server: Int) -> Bool { backend.servers[server].plan.backup }
    func weight(_ server: Int) -> Int { control.weights[server] }
    func adminState(_ server: Int) -> ServerAdminState { control.admin[server] }
    func hasFreeSlot(_ server: Int) -> Bool { backend.servers[server].hasFreeSlot }
    func activeConnections(_ server: Int) -> Int { backend.servers[server].active.load(ordering: .relaxed) }

    func rampPercent(_ server: Int) -> Int {
        let state = backend.servers[server]
        guard let slowstart = state.plan.slowstart else { return 100 }
        let since = state.upSince.load(ordering: .relaxed)
        guard since > 0 else { return 100 }
        let elapsed = Int64(NIODeadline.now().uptimeNanoseconds) - since
        return SlowStart.percent(elapsed: .nanoseconds(elapsed), slowstart: slowstart)
    }
}
