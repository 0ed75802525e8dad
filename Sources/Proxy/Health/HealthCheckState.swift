package import NIOCore

/// HAProxy's server health counter for `check` with `rise`, `fall`, `inter`, `fastinter`, `downinter`.
///
/// The counter runs from 0 to `rise + fall - 1`. An UP server becomes DOWN after `fall`
/// consecutive failures; a DOWN server becomes UP after `rise` consecutive successes. Servers
/// start UP with a full counter. Pure: results and the current time go in, actions come out.
package struct HealthCheckState: Sendable {
    package enum Result: Sendable, Hashable {
        case passed(String)
        case failed(String)
    }

    package enum Action: Sendable, Hashable {
        /// The server changed state; publish it with this reason.
        case transition(up: Bool, reason: String)
    }

    package let rise: Int
    package let fall: Int
    package let inter: TimeAmount
    package let fastinter: TimeAmount
    package let downinter: TimeAmount
    package private(set) var health: Int
    package private(set) var isUp: Bool
    /// When the next check is due.
    package private(set) var nextCheck: NIODeadline
    package private(set) var lastChange: NIODeadline

    package init(rise: Int, fall: Int, inter: TimeAmount, fastinter: TimeAmount? = nil, downinter: TimeAmount? = nil,
                startUp: Bool = true, now: NIODeadline) {
        self.rise = max(rise, 1)
        self.fall = max(fall, 1)
        self.inter = inter
        self.fastinter = fastinter ?? inter
        self.downinter = downinter ?? inter
        self.isUp = startUp
        self.health = startUp ? self.rise + self.fall - 1 : 0
        self.nextCheck = now + inter
        self.lastChange = now
    }

    private var maxHealth: Int { rise + fall - 1 }

    /// A check finished with `result` at `now`.
    package mutating func record(_ result: Result, now: NIODeadline) -> Action? {
        var action: Action?
        switch result {
        case .passed(let reason):
            if isUp {
                health = maxHealth
            } else {
                health += 1
                if health >= rise {
                    isUp = true
                    health = maxHealth
                    lastChange = now
                    action = .transition(up: true, reason: reason)
                }
            }
        case .failed(let reason):
            if isUp {
                health -= 1
                if health < rise {
                    isUp = false
                    health = 0
                    lastChange = now
                    action = .transition(up: false, reason: reason)
                }
            } else {
                health = 0
            }
        }
        nextCheck = now + interval
        return action
    }

    /// The delay before the next check: `inter` when settled UP, `downinter` when settled DOWN,
    /// `fastinter` while the counter is moving between them.
    package var interval: TimeAmount {
        if isUp && health == maxHealth { return inter }
        if !isUp && health == 0 { return downinter }
        return fastinter
    }
}
