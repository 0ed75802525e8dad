#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The dates of HAProxy's logs (§8.2.3 `accept_date`, §8.2.4 `%t`, `%T`), from a wall-clock instant
/// in nanoseconds since the epoch that the caller reads (or a test fixes).
enum LogDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// `06/Feb/2009:12:14:14.655` in local time. The seconds part is formatted once per second
    /// and thread (localtime_r takes glibc's time-zone lock): every log line of a second on an
    /// event loop reuses it.
    static func local(wallNanoseconds: Int64) -> String {
        let second = wallNanoseconds / 1_000_000_000
        let millis = Int((wallNanoseconds / 1_000_000) % 1000)
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(localSeconds(second)).\(ms)"
    }

    private static let secondCache = PerSecondCache<String>()

    /// `06/Feb/2009:12:14:14` for `second`, from this thread's cache when it is the same second.
    private static func localSeconds(_ second: Int64) -> String {
        secondCache.value(for: second) { second in
            var seconds = time_t(second)
            var parts = tm()
            localtime_r(&seconds, &parts)
            return dayAndTime(parts)
        }
    }

    /// `06/Feb/2009:12:14:14 +0000` in GMT.
    static func gmt(wallNanoseconds: Int64) -> String {
        var seconds = time_t(wallNanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(dayAndTime(parts)) +0000"
    }

    private static func dayAndTime(_ parts: tm) -> String {
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
