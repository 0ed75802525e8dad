public import HACore
public import ServiceLifecycle
import NIOCore
import Synchronization

/// The shell around `LivenessState` (ARCHITECTURE.md "the path of one failure"): every
/// `interval` it runs a probe round against the proxy's listeners and feeds the result to the
/// state machine; the supervisor feeds `proxyStopped` the moment the proxy service ends. When
/// the verdict flips it publishes `.proxyHealth(up:reason:)`, which every VRRP instance
/// tracking the proxy acts on.
public final class LivenessProbe: Service {
    public typealias Round = @Sendable () async -> ProxyProbe.Outcome

    private let state: Mutex<LivenessState>
    private let observed = Mutex<Observation>(Observation())

    /// What `hactl status` shows of the probe: the verdict's reason and the last round's time.
    public struct Observation: Sendable, Equatable {
        public var reason = "not probed yet"
        public var lastRoundMilliseconds: Double?
    }

    public var observation: Observation { observed.withLock { $0 } }
    private let tuning: LivenessState.Tuning
    private let round: Round
    private let accepting: @Sendable () -> Bool
    private let bus: EventBus
    private let onProbedDown: @Sendable (String) -> Void
    private let stops: AsyncStream<String>
    private let stopsContinuation: AsyncStream<String>.Continuation

    /// - Parameters:
    ///   - onProbedDown: called when probe rounds (not a reported stop) took the verdict DOWN:
    ///     the proxy still runs but does not answer, so the supervisor restarts it.
    ///   - accepting: the proxy's own state, used when a round has nothing to connect to.
    public init(
        tuning: LivenessState.Tuning, bus: EventBus,
        onProbedDown: @escaping @Sendable (String) -> Void = { _ in },
        accepting: @escaping @Sendable () -> Bool = { true },
        round: @escaping Round
    ) {
        self.tuning = tuning
        self.accepting = accepting
        self.onProbedDown = onProbedDown
        self.state = Mutex(LivenessState(tuning: tuning))
        self.round = round
        self.bus = bus
        (stops, stopsContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// The supervisor saw the proxy service stop: DOWN now, without waiting for `fall` probes.
    public func proxyStopped(reason: String) {
        stopsContinuation.yield(reason)
    }

    /// Whether the last verdict is UP.
    public var isUp: Bool { state.withLock { $0.isUp } }

    public func run() async {
        await cancelWhenGracefulShutdown { await self.probeUntilCancelled() }
    }

    private func probeUntilCancelled() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await reason in stops {
                    let action = state.withLock { $0.proxyStopped(reason: reason, now: .now()) }
                    await execute(action)
                }
            }
            group.addTask { [self] in
                var next = NIODeadline.now() + tuning.interval
                while !Task.isCancelled {
                    let delay = next - NIODeadline.now()
                    if delay > .zero {
                        do { try await Task.sleep(for: .nanoseconds(delay.nanoseconds)) } catch { return }
                    }
                    let started = NIODeadline.now()
                    let outcome = await round()
                    let took = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
                    observed.withLock {
                        $0.lastRoundMilliseconds = took
                        switch outcome {
                        case .success: $0.reason = "answering"
                        case .failure(let reason): $0.reason = "probe failed: \(reason)"
                        case .skipped: $0.reason = "not holding the bind addresses: the proxy's own state is used"
                        case .saturated(let reason): $0.reason = reason
                        }
                    }
                    let action: LivenessState.Action
                    switch outcome {
                    case .success, .saturated:
                        action = state.withLock { $0.probeFinished(failure: nil, now: started) }
                    case .failure(let reason):
                        action = state.withLock { $0.probeFinished(failure: reason, now: started) }
                    case .skipped:
                        let accepting = accepting()
                        action = state.withLock { $0.probeSkipped(accepting: accepting, now: started) }
                    }
                    if case .publish(up: false, let reason, _) = action { onProbedDown(reason) }
                    next = await execute(action)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    @discardableResult
    private func execute(_ action: LivenessState.Action) async -> NIODeadline {
        switch action {
        case .probeAgain(let at):
            return at
        case .publish(let up, let reason, let next):
            observed.withLock { $0.reason = reason }
            await bus.publish(.proxyHealth(up: up, reason: reason))
            return next
        }
    }
}
