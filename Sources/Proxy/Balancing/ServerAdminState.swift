/// A server's administrative state, set by the operator at run time (HAProxy's runtime API
/// `set server B/S state ready|drain|maint`; `hactl server`).
public enum ServerAdminState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Normal operation: the balancer may pick it when it is UP.
    case ready
    /// The balancer picks it for no new session, but a request whose persistence cookie
    /// designates it still goes there; established connections finish.
    case drain
    /// No traffic at all: requests that persistence designates to it are redispatched to
    /// another server, and its health checks stop (it shows MAINT).
    case maint

    public var description: String { rawValue }
}

/// One backend's operator-controlled balancing inputs as one event loop holds them: the
/// servers' admin states and effective weights, and the balancer built from those weights.
///
/// The control plane builds a new one when the operator changes something and submits it to
/// every loop; a pick reads the loop's, so it takes no lock and makes no hop. `generation`
/// orders them: a loop keeps the newest one it has seen, whatever order submits land in.
///
/// Immutable and shared by reference: each pick used to copy the value, retaining and releasing
/// its arrays and the balancer's (issue 12: ARC traffic per request).
final class BackendControl: Sendable {
    let generation: Int
    let admin: [ServerAdminState]
    let weights: [Int]
    let balancer: Balancer

    /// The configured state: every server ready with its `weight`.
    convenience init(plan: BackendPlan) {
        self.init(generation: 0, admin: plan.servers.map { _ in .ready }, weights: plan.servers.map(\.weight), plan: plan)
    }

    convenience init(generation: Int, admin: [ServerAdminState], weights: [Int], plan: BackendPlan) {
        self.init(generation: generation, admin: admin, weights: weights,
                  balancer: Balancer(algorithm: plan.balance, weights: weights, names: plan.servers.map(\.name),
                                     consistent: plan.consistentHash, hasher: plan.hasher, balanceFactor: plan.hashBalanceFactor))
    }

    private init(generation: Int, admin: [ServerAdminState], weights: [Int], balancer: Balancer) {
        self.generation = generation
        self.admin = admin
        self.weights = weights
        self.balancer = balancer
    }

    /// The same states with new weights (the balancer's schedule and ring rebuilt).
    func withWeights(_ newWeights: [Int], plan: BackendPlan) -> BackendControl {
        BackendControl(generation: generation + 1, admin: admin, weights: newWeights, plan: plan)
    }

    /// The same weights with new admin states (the balancer unchanged).
    func withAdmin(_ newAdmin: [ServerAdminState]) -> BackendControl {
        BackendControl(generation: generation + 1, admin: newAdmin, weights: weights, balancer: balancer)
    }
}
