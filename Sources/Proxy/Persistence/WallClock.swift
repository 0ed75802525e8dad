#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Epoch seconds for cookie dates (`maxidle`, `maxlife`); read by the shell and passed in.
enum WallClock {
    static func seconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec)
    }
}

extension WallClock {
    /// Epoch milliseconds: stick-table stamps and expiry dates (they cross reloads and the peer link).
    static func milliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
