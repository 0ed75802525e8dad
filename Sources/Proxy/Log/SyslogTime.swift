#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The date fields of syslog headers for one instant, in local time as HAProxy writes them:
/// `Dec  1 01:00:35` (RFC 3164 §4.1.2, the day padded with a space) and
/// `2026-12-01T01:00:35.552953+00:00` (RFC 5424 §6.2.3 with microseconds, as HAProxy sends).
struct SyslogTime {
    /// `Dec  1 01:00:35`.
    var rfc3164: [UInt8]
    /// `2026-12-01T01:00:35`, the seconds part of the ISO date.
    var isoSeconds: [UInt8]
    /// `+01:00`: the local offset from UTC.
    var offset: [UInt8]
    var microseconds: Int

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The fields for `seconds` since the epoch (local time zone of the process).
    init(seconds: Int, microseconds: Int) {
        var clock = time_t(seconds)
        var parts = tm()
        localtime_r(&clock, &parts)
        func two(_ value: Int32, pad: String = "0") -> String { value < 10 ? "\(pad)\(value)" : "\(value)" }
        rfc3164 = Array("\(Self.months[Int(parts.tm_mon)]) \(two(parts.tm_mday, pad: " ")) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))".utf8)
        isoSeconds = Array("\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))".utf8)
        let east = Int(parts.tm_gmtoff)
        let minutes = abs(east) / 60
        offset = Array("\(east < 0 ? "-" : "+")\(two(Int32(minutes / 60))):\(two(Int32(minutes % 60)))".utf8)
        self.microseconds = microseconds
    }

    /// `2026-12-01T01:00:35.552953+00:00` appended to `bytes`.
    func appendISO(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: isoSeconds)
        bytes.append(UInt8(ascii: "."))
        var divisor = 100_000
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8((microseconds / divisor) % 10))
            divisor /= 10
        }
        bytes.append(contentsOf: offset)
    }
}

/// Now as a `SyslogTime`, from a per-thread cache that formats the date once per second
/// (each event loop has its own: no lock, no shared state on the data path).
enum SyslogClock {
    private static let cache = PerSecondCache<SyslogTime>()

    static func now() -> SyslogTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let microseconds = Int(spec.tv_nsec) / 1000
        var time = cache.value(for: Int64(spec.tv_sec)) { SyslogTime(seconds: Int($0), microseconds: microseconds) }
        time.microseconds = microseconds
        return time
    }
}
