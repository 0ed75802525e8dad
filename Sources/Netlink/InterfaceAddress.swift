/// One address on one interface, as `ip addr` shows it and keepalived's
/// `virtual_ipaddress ADDRESS/PREFIX dev IFACE label LABEL` describes it.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: UInt8
    public var interfaceIndex: UInt32
    /// IPv4 label (`eth0:vip`); nil for none.
    public var label: String?
    /// IPv4 broadcast address (`brd`); nil for none.
    public var broadcast: IPAddress?
    /// rtnetlink scope (`scope global|site|link|host`, 0/200/253/254); nil for the kernel's default.
    public var scope: UInt8?

    public init(
        address: IPAddress, prefixLength: UInt8, interfaceIndex: UInt32, label: String? = nil,
        broadcast: IPAddress? = nil, scope: UInt8? = nil
    ) {
        self.address = address
        self.prefixLength = prefixLength
        self.interfaceIndex = interfaceIndex
        self.label = label
        self.broadcast = broadcast
        self.scope = scope
    }

    /// The IPv4 directed broadcast of `address/prefixLength` (`brd +`).
    public static func broadcast(of address: IPAddress, prefixLength: UInt8) -> IPAddress? {
        guard case .v4(let value) = address, prefixLength <= 32 else { return nil }
        let hostBits: UInt32 = prefixLength == 0 ? .max : (prefixLength == 32 ? 0 : (UInt32.max >> UInt32(prefixLength)))
        return .v4(value | hostBits)
    }

    /// rtnetlink scope numbers for `ip addr ... scope NAME`.
    public static func scope(named name: String) -> UInt8? {
        switch name {
        case "global", "universe": return 0
        case "site": return 200
        case "link": return 253
        case "host": return 254
        case "nowhere": return 255
        default: return UInt8(name)
        }
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
