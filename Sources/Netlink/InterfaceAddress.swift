/// One address on one interface, as `ip addr` shows it and keepalived's
/// `virtual_ipaddress ADDRESS/PREFIX dev IFACE label LABEL` describes it.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: UInt8
    public var interfaceIndex: UInt32
    /// IPv4 label (`eth0:vip`); nil for none.
    public var label: String?

    public init(address: IPAddress, prefixLength: UInt8, interfaceIndex: UInt32, label: String? = nil) {
        self.address = address
        self.prefixLength = prefixLength
        self.interfaceIndex = interfaceIndex
        self.label = label
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
