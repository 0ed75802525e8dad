public import HAConfig

/// `hactl run --role master|backup`: one configuration file for every node, the role says which
/// node this is (CONFIG.md "Roles instead of two files").
///
/// The role gives each VRRP instance its initial state (keepalived's `state MASTER|BACKUP`) and
/// default priority (keepalived's `priority`). 250 and 240: the backup's high priority makes its
/// Skew_Time ((256 - priority) / 256 × Advertisement_Interval, RFC 9568 §6.1) short, about 62 ms at
/// `advert_int 1`, so a resigning master is replaced quickly; the gap of 10 leaves room for
/// keepalived-style track weights.
public enum Role: String, Sendable, CaseIterable {
    case master
    case backup

    /// The VRRP priority this role implies when neither the command line nor the file sets one.
    public var defaultPriority: Int {
        switch self {
        case .master: 250
        case .backup: 240
        }
    }

    /// The initial VRRP state this role implies when the file sets no `state`.
    public var defaultState: VRRPInitialState {
        switch self {
        case .master: .master
        case .backup: .backup
        }
    }
}
