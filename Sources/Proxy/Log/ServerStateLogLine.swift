/// HAProxy's lines about a server changing state, sent to its backend's log targets (HAProxy 2.6,
/// observed on the wire; Tests/ProxyTests/Differential/SyslogFramingDifferentialTests):
///
///     <129>... Server b/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
///     <128>... backend b has no server available!
///     <133>... Server b/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
///
/// DOWN is `alert`, a backend left without a server `emerg`, UP `notice`; a backup server's line
/// starts with `Backup Server`. hactl queues per backend, so "requeued" and the server queue are 0.
enum ServerStateLogLine {
    struct Counts {
        /// Non-backup servers UP after the change.
        var active: Int
        /// Backup servers UP after the change.
        var backup: Int
    }

    static func down(backend: String, server: String, isBackup: Bool, reason: String, checkMilliseconds: Int64,
                     counts: Counts, sessionsActive: Int) -> String {
        "\(isBackup ? "Backup Server" : "Server") \(backend)/\(server) is DOWN, reason: \(haproxyReason(reason)), check duration: \(checkMilliseconds)ms. "
            + "\(counts.active) active and \(counts.backup) backup servers left. \(sessionsActive) sessions active, 0 requeued, 0 remaining in queue."
    }

    static func up(backend: String, server: String, isBackup: Bool, reason: String, checkMilliseconds: Int64, counts: Counts) -> String {
        "\(isBackup ? "Backup Server" : "Server") \(backend)/\(server) is UP, reason: \(haproxyReason(reason)), check duration: \(checkMilliseconds)ms. "
            + "\(counts.active) active and \(counts.backup) backup servers online. 0 sessions requeued, 0 total in queue."
    }

    static func noServerAvailable(backend: String) -> String {
        "backend \(backend) has no server available!"
    }

    /// HAProxy's wording of the reasons hactl words differently (`hactl status` keeps hactl's).
    static func haproxyReason(_ reason: String) -> String {
        switch reason {
        case "Layer4 connection refused": #"Layer4 connection problem, info: "Connection refused""#
        default: reason
        }
    }
}
