/// What a control socket lets its clients do, in HAProxy's `stats socket ... level` terms.
///
/// hactl's policy (HAProxy itself asks `admin` for every server/frontend change; hactl lets
/// `operator` do the changes that cut nothing and are undone by one more command):
///
/// | level      | may run                                                                 |
/// |------------|-------------------------------------------------------------------------|
/// | `user`     | `status` (`show info`, `show stat`, `show servers state`, `help`)       |
/// | `operator` | also `server enable`, `server drain`, `server weight`, `frontend enable` |
/// | `admin`    | also `server disable`, `frontend disable`, `failover`, `reload`          |
///
/// `server disable` (maintenance) and `frontend disable` refuse traffic, `failover` moves the
/// VIPs and `reload` replaces the configuration: those need `admin`.
public enum ControlLevel: String, Codable, Sendable, Equatable, Comparable, CaseIterable {
    /// Read-only.
    case user
    /// Read, plus non-destructive changes.
    case `operator`
    /// Everything.
    case admin

    private var rank: Int {
        switch self {
        case .user: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (lhs: ControlLevel, rhs: ControlLevel) -> Bool { lhs.rank < rhs.rank }
}
