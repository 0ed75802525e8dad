/// The states of RFC 9568 §6.4 (Initialize, Backup, Active — keepalived's MASTER) plus
/// keepalived's FAULT, entered while a tracked object with weight 0 is down.
public enum VRRPState: String, Sendable, Hashable, CustomStringConvertible {
    case initialize = "INIT"
    case backup = "BACKUP"
    case master = "MASTER"
    case fault = "FAULT"

    public var description: String { rawValue }
}
