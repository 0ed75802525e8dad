/// The protocol version an instance speaks: RFC 3768 (2) or RFC 9568 (3); keepalived's
/// `vrrp_version` keyword, default 2.
public enum VRRPVersion: UInt8, Sendable {
    case v2 = 2
    case v3 = 3
}
