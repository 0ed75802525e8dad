#if canImport(Glibc)
import Glibc
#endif

/// The process's malloc configuration, set once before any service starts.
///
/// glibc gives each thread that allocates its own arena, up to eight per core; hactl runs a
/// dozen threads (event loops, Swift's cooperative pool, NIO's singletons) whose arenas each keep
/// freed memory of their own. One arena per core is enough for the event loops, whose
/// allocations are few and short-lived (issue 12: RSS idle and after load).
public enum ProcessHeap {
    /// At most one arena per online core.
    public static func limitArenasToCoreCount() {
        #if canImport(Glibc)
        // `mallopt` and `M_ARENA_MAX` (-8) live in malloc.h, which Swift's Glibc module leaves out.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, Int32(max(1, min(cores, 64))))
        #endif
    }
}
