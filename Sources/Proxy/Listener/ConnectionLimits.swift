#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// HAProxy `maxconn` (global and per frontend) against the process's descriptor limit.
///
/// Each proxied connection needs two descriptors (client and server). HAProxy refuses to start
/// when `maxconn` cannot be honoured; hactl raises its soft limit to the hard one and, if that is
/// still too low, serves with a lower effective `maxconn` and says so once in the log, so that
/// the seeds' `maxconn 50000` runs on a machine whose hard limit is 20000.
struct ConnectionLimits: Sendable, Hashable {
    /// Descriptors kept for listeners, health checks, logs and the rest of the process.
    static let reserve = 256

    var globalMaxconn: Int
    var requestedGlobalMaxconn: Int
    var descriptorLimit: Int

    /// Pure: the effective global maxconn for a descriptor limit.
    init(requested: Int, descriptorLimit: Int) {
        requestedGlobalMaxconn = requested
        self.descriptorLimit = descriptorLimit
        let affordable = max((descriptorLimit - Self.reserve) / 2, 1)
        globalMaxconn = min(requested, affordable)
    }

    var isCapped: Bool { globalMaxconn < requestedGlobalMaxconn }

    /// Raises RLIMIT_NOFILE's soft limit to the hard one and returns the usable limit.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur >= rlim_t(Int.max / 4) ? Int.max / 4 : Int(limit.rlim_cur)
    }
}
