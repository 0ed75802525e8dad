import CNetlink
import Glibc

/// A network interface looked up by name: index, link state and hardware address
/// (`if_nametoindex`, `SIOCGIFFLAGS`, `SIOCGIFHWADDR`).
public struct NetworkInterface: Hashable, Sendable {
    public var name: String
    public var index: UInt32

    /// Nil when no interface has that name.
    public init?(name: String) {
        let index = if_nametoindex(name)
        guard index != 0 else { return nil }
        self.name = name
        self.index = index
    }

    /// IFF_UP and IFF_RUNNING (carrier): what keepalived's `track_interface` watches.
    public var isUp: Bool {
        guard let flags = try? ioctlRequest(0x8913) else { return false }  // SIOCGIFFLAGS
        let value = UInt16(flags[16]) | UInt16(flags[17]) << 8
        return value & 0x1 != 0 && value & 0x40 != 0
    }

    /// The Ethernet address, or nil for interfaces without one.
    public var hardwareAddress: [UInt8]? {
        guard let reply = try? ioctlRequest(0x8927) else { return nil }  // SIOCGIFHWADDR
        let mac = Array(reply[18..<24])
        return mac.allSatisfy { $0 == 0 } ? nil : mac
    }

    /// Runs an interface ioctl with a 40-byte `struct ifreq` holding our name.
    private func ioctlRequest(_ request: UInt) throws(NetlinkError) -> [UInt8] {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw NetlinkError(operation: "socket for ioctl", code: -errno) }
        defer { close(fd) }
        var request_ = [UInt8](repeating: 0, count: 40)
        for (offset, byte) in name.utf8.prefix(15).enumerated() { request_[offset] = byte }
        let rc = request_.withUnsafeMutableBytes { Glibc.ioctl(fd, request, $0.baseAddress!) }
        guard rc == 0 else { throw NetlinkError(operation: "ioctl \(request) on \(name)", code: -errno) }
        return request_
    }
}
