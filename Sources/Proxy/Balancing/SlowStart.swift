import NIOCore

/// HAProxy `slowstart T`: a server that comes back UP takes a share of its weight growing
/// linearly from 0 to 100 % over T (at least 1 %, so it is not starved).
enum SlowStart {
    static func percent(elapsed: TimeAmount, slowstart: TimeAmount) -> Int {
        guard slowstart.nanoseconds > 0, elapsed < slowstart else { return 100 }
        return max(Int(elapsed.nanoseconds * 100 / slowstart.nanoseconds), 1)
    }
}
