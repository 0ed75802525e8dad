public import NIOCore

/// Keeps a repeating event from flooding the log: the first occurrence of a key is logged,
/// repeats within `window` are only counted, and the first one after the window is logged
/// with how many were left out. Used for dropped VRRP adverts, which arrive every advert
/// interval from a misconfigured or foreign router for as long as it runs.
///
/// A pure value: the caller passes `now`.
public struct RepeatThrottle: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Log it; `suppressed` repeats of the same key were not logged since the last line.
        case log(suppressed: Int)
        case suppress
    }

    public let window: TimeAmount
    private var lastLogged: [String: NIODeadline] = [:]
    private var suppressed: [String: Int] = [:]

    public init(window: TimeAmount = .seconds(60)) {
        self.window = window
    }

    public mutating func occurred(_ key: String, now: NIODeadline) -> Decision {
        if let last = lastLogged[key], now - last < window {
            suppressed[key, default: 0] += 1
            return .suppress
        }
        lastLogged[key] = now
        return .log(suppressed: suppressed.removeValue(forKey: key) ?? 0)
    }
}
