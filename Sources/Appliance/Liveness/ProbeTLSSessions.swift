import Synchronization
import TLS

/// What the liveness probe keeps between rounds for `bind ... ssl` targets: one client TLS
/// context (verification off: the probe asks whether the proxy answers, not who it is), the
/// last session each bind gave it, so the next round costs a resumed handshake, and the server
/// name a `strict-sni` bind needs, read once per certificate path.
///
/// Lives as long as the liveness probe; rounds run one at a time, the lock is never contended.
public final class ProbeTLSSessions: Sendable {
    let context: TLSClientContext?
    private let state = Mutex<State>(State())
    private let resumedHandshakes = Atomic<Int>(0)
    private let fullHandshakes = Atomic<Int>(0)

    struct State {
        var sessions: [String: TLSSession] = [:]
        var serverNames: [String: String?] = [:]
    }

    public init() {
        // verify none cannot fail on a working OpenSSL; without a context every TLS round fails
        // with a reason saying so.
        context = try? TLSClientContext(configuration: TLSClientConfiguration(verify: false))
    }

    /// Handshakes the probe completed by resuming a session, and in full (for the tests and the log).
    public var resumed: Int { resumedHandshakes.load(ordering: .relaxed) }
    public var full: Int { fullHandshakes.load(ordering: .relaxed) }

    func session(for target: String) -> TLSSession? {
        state.withLock { $0.sessions[target] }
    }

    func completed(_ target: String, resumed: Bool, keeping session: TLSSession?) {
        if resumed {
            resumedHandshakes.add(1, ordering: .relaxed)
        } else {
            fullHandshakes.add(1, ordering: .relaxed)
        }
        state.withLock { $0.sessions[target] = session ?? $0.sessions[target] }
    }

    /// Forgets a bind's session after a failed round: the next one starts afresh.
    func failed(_ target: String) {
        state.withLock { $0.sessions[target] = nil }
    }

    /// The SNI for a bind: none unless it is `strict-sni`, then a name its first certificate covers.
    func serverName(for tls: LivenessTarget.TLSProbe) -> String? {
        guard tls.strictSNI else { return nil }
        if let name = tls.serverName { return name }
        guard let path = tls.certificatePath else { return nil }
        if let known = state.withLock({ $0.serverNames[path] }) { return known }
        let name = ProbeServerName.firstCovered(certificatePath: path)
        state.withLock { $0.serverNames[path] = name }
        return name
    }
}
