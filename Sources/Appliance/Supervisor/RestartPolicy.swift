public import NIOCore

/// What the supervisor does when a supervised service (the proxy) stops unexpectedly: restart it
/// after an exponential backoff, and give up — stop the whole appliance, so systemd's
/// `Restart=on-failure` takes over with a fresh process — when it keeps failing
/// (systemd's `StartLimitBurst=` within `StartLimitIntervalSec=`).
///
/// A pure state machine: inputs carry `now`, outputs are `Action`s; no clock or task inside.
public struct RestartPolicy: Sendable, Hashable {
    public struct Tuning: Sendable, Hashable {
        /// The first delay; each further restart within the stable period doubles it.
        public var initialBackoff: TimeAmount
        /// The delay never grows past this.
        public var maximumBackoff: TimeAmount
        /// A service that ran this long without stopping is healthy again: backoff starts over.
        public var stablePeriod: TimeAmount
        /// At most this many restarts within `burstWindow`; one more and the policy gives up.
        public var burstLimit: Int
        public var burstWindow: TimeAmount

        /// Defaults: 100 ms, doubling to 5 s; reset after 30 s of running; at most 10 restarts a minute.
        public init(
            initialBackoff: TimeAmount = .milliseconds(100),
            maximumBackoff: TimeAmount = .seconds(5),
            stablePeriod: TimeAmount = .seconds(30),
            burstLimit: Int = 10,
            burstWindow: TimeAmount = .seconds(60)
        ) {
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.stablePeriod = stablePeriod
            self.burstLimit = burstLimit
            self.burstWindow = burstWindow
        }
    }

    public enum Action: Sendable, Hashable {
        /// Start the service again at `at` (attempt counts restarts since the last stable run).
        case restart(at: NIODeadline, attempt: Int)
        /// Too many restarts: stop the appliance with this reason.
        case giveUp(reason: String)
    }

    public let tuning: Tuning
    /// When the current run started.
    private var startedAt: NIODeadline?
    /// Restarts since the service last ran for `stablePeriod`.
    public private(set) var consecutiveRestarts = 0
    /// When each recent restart was decided, for the burst limit.
    private var recentRestarts: [NIODeadline] = []

    public init(tuning: Tuning = Tuning()) {
        self.tuning = tuning
    }

    /// The service (re)started at `now`.
    public mutating func serviceStarted(now: NIODeadline) {
        startedAt = now
    }

    /// The service stopped at `now` without being asked to.
    public mutating func serviceStopped(now: NIODeadline) -> Action {
        if let startedAt, now - startedAt >= tuning.stablePeriod {
            consecutiveRestarts = 0
        }
        startedAt = nil
        recentRestarts.removeAll { now - $0 >= tuning.burstWindow }
        guard recentRestarts.count < tuning.burstLimit else {
            return .giveUp(reason: "stopped \(recentRestarts.count + 1) times within \(Self.describe(tuning.burstWindow))")
        }
        recentRestarts.append(now)
        let delay = backoff(forRestart: consecutiveRestarts)
        consecutiveRestarts += 1
        return .restart(at: now + delay, attempt: consecutiveRestarts)
    }

    /// initialBackoff × 2^n, capped at maximumBackoff.
    func backoff(forRestart n: Int) -> TimeAmount {
        var delay = tuning.initialBackoff
        for _ in 0..<n {
            if delay >= tuning.maximumBackoff { break }
            delay = delay * 2
        }
        return min(delay, tuning.maximumBackoff)
    }

    static func describe(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
