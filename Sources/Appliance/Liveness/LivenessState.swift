public import NIOCore

/// The liveness probe's verdict on the in-process proxy, as a pure rise/fall machine
/// (keepalived `vrrp_script`'s `rise`/`fall`, HAProxy `check`'s `rise`/`fall`): `fall`
/// consecutive failed probes take it DOWN, `rise` consecutive good ones bring it back UP.
///
/// It starts UP: the appliance only starts probing once the proxy has bound every listener,
/// which is itself a successful probe. No clock, socket or logger here; the shell
/// (`LivenessProbe`) feeds results and runs the returned `Action`.
public struct LivenessState: Sendable, Hashable {
    /// Probe tuning, keepalived-style (`interval`, `fall`, `rise`, as in `vrrp_script`), with
    /// HAProxy's `fastinter`: while a verdict is in doubt (some results already disagree with
    /// it) the next round comes after `fastInterval` rather than `interval`.
    ///
    /// Defaults: a round every 200 ms, 50 ms while in doubt, each connect allowed 100 ms, DOWN
    /// after 2 failed rounds, UP after 2 good ones. Rounds keep a fixed rate (the next starts
    /// its interval after the previous one started), so a proxy that dies is declared DOWN at
    /// most `interval + (fall - 1) × fastInterval` later when its connects are refused (250 ms,
    /// 125 ms on average) and `interval + fall × timeout` when they hang (400 ms). The master
    /// then sends a priority-0 advert and the backup (priority 240) takes over after
    /// Skew_Time ≈ 62 ms: failover well under a second. `fall 2` rather than 1 so one slow
    /// accept under load does not move the VIP; `rise 2` so a flapping proxy does not pull the
    /// VIP back at once. 100 ms is generous for a connect that never leaves the node (the
    /// kernel completes the handshake; a healthy local connect takes microseconds).
    public struct Tuning: Sendable, Hashable {
        public var interval: TimeAmount
        /// The interval while results disagree with the verdict (HAProxy's `fastinter`).
        public var fastInterval: TimeAmount
        public var fall: Int
        public var rise: Int
        /// How long one connect may take before it counts as a failure.
        public var timeout: TimeAmount
        /// After connects failed, how long the proxy's own word ("listening") is not enough to
        /// rise while the node cannot connect (it no longer holds the addresses). Without it a
        /// proxy that listens but cannot be reached would win the VIP back, lose it again half
        /// a second later, and so on; with it that cycle slows to one round per hold-down.
        public var holdDown: TimeAmount

        public init(
            interval: TimeAmount = .milliseconds(200), fastInterval: TimeAmount = .milliseconds(50), fall: Int = 2, rise: Int = 2,
            timeout: TimeAmount = .milliseconds(100), holdDown: TimeAmount = .seconds(10)
        ) {
            precondition(fall >= 1 && rise >= 1, "fall and rise count probes: at least 1")
            self.interval = interval
            self.fastInterval = fastInterval
            self.fall = fall
            self.rise = rise
            self.timeout = timeout
            self.holdDown = holdDown
        }
    }

    /// What the shell does after an input.
    public enum Action: Sendable, Hashable {
        /// Nothing changed; probe again at the deadline.
        case probeAgain(at: NIODeadline)
        /// The verdict flipped: publish `.proxyHealth(up:reason:)`, then probe again at the deadline.
        case publish(up: Bool, reason: String, nextProbe: NIODeadline)
    }

    public let tuning: Tuning
    public private(set) var isUp = true
    /// Consecutive results that disagree with the current verdict.
    public private(set) var streak = 0
    /// When failed connects (rather than a stop) took the verdict DOWN.
    private var downFromConnectsAt: NIODeadline?

    public init(tuning: Tuning = Tuning()) {
        self.tuning = tuning
    }

    /// One probe round that started at `now` finished: `failure` is nil when it succeeded,
    /// else why it failed. The next round is due `interval` after this one started, or
    /// `fastInterval` while the verdict is in doubt.
    public mutating func probeFinished(failure: String?, now: NIODeadline) -> Action {
        let succeeded = failure == nil
        guard succeeded != isUp else {
            streak = 0
            return .probeAgain(at: now + tuning.interval)
        }
        streak += 1
        let needed = isUp ? tuning.fall : tuning.rise
        guard streak >= needed else { return .probeAgain(at: now + tuning.fastInterval) }
        isUp = succeeded
        streak = 0
        downFromConnectsAt = succeeded ? nil : now
        let reason = failure.map { "\(needed) failed probes, last: \($0)" } ?? "\(needed) good probes"
        return .publish(up: isUp, reason: reason, nextProbe: now + tuning.interval)
    }

    /// A round that started at `now` could not connect anywhere (this node holds none of the
    /// bind addresses); `accepting` is the proxy's own state. Not accepting is a failure;
    /// accepting is a success, except within `holdDown` of connects having failed.
    public mutating func probeSkipped(accepting: Bool, now: NIODeadline) -> Action {
        guard accepting else { return probeFinished(failure: "proxy not accepting connections", now: now) }
        if !isUp, let since = downFromConnectsAt, now - since < tuning.holdDown {
            streak = 0
            return .probeAgain(at: now + tuning.interval)
        }
        return probeFinished(failure: nil, now: now)
    }

    /// The proxy service stopped (the supervisor saw it): DOWN at once, no need to wait for probes.
    public mutating func proxyStopped(reason: String, now: NIODeadline) -> Action {
        streak = 0
        let next = now + tuning.interval
        guard isUp else { return .probeAgain(at: next) }
        isUp = false
        return .publish(up: false, reason: reason, nextProbe: next)
    }
}
