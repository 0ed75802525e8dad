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
