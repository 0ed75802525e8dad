import CNetlink
import Glibc

/// Tells the LAN that addresses moved to us: gratuitous ARP requests for IPv4 (RFC 5227 §3,
/// sent over AF_PACKET) and unsolicited Neighbor Advertisements with the Override flag for
/// IPv6 (RFC 4861 §7.2.6) — what keepalived sends on becoming MASTER.
///
/// The sockets stay open from the first announcement until `close()`: closing an AF_PACKET
/// socket waits for a network RCU grace period (about 15 ms here), and a burst of
/// `garp_master_repeat` announcements that opened and closed one each blocked its event loop
/// long enough to delay a resignation by 70 ms. Neither socket receives anything: the ARP one
/// is opened for protocol 0 and the ICMPv6 one filters every type out.
///
/// Not thread-safe: its owner calls it from one thread (a VRRP node's event loop).
public final class GratuitousAnnouncer {
    public let interface: NetworkInterface
    private var arpSocket: Int32 = -1
    private var neighborSocket: Int32 = -1

    public init(interface: NetworkInterface) {
        self.interface = interface
    }

    deinit { close() }

    /// Closes the sockets; a later announcement opens them again.
    public func close() {
        if arpSocket >= 0 { Glibc.close(arpSocket) }
        if neighborSocket >= 0 { Glibc.close(neighborSocket) }
        arpSocket = -1
        neighborSocket = -1
    }

    /// Sends one announcement per address.
    public func announce(_ addresses: [IPAddress]) throws(NetlinkError) {
        guard let mac = interface.hardwareAddress else {
            throw NetlinkError(operation: "read hardware address of \(interface.name)", code: -Int32(ENODEV))
        }
        let v4 = addresses.filter(\.isIPv4)
        let v6 = addresses.filter { !$0.isIPv4 }
        if !v4.isEmpty { try sendARP(v4, mac: mac) }
        if !v6.isEmpty { try sendNA(v6, mac: mac) }
    }

    /// The Ethernet frame of a gratuitous ARP request for `address` from `mac`.
    public static func arpFrame(for address: IPAddress, mac: [UInt8]) -> [UInt8] {
        let broadcast = [UInt8](repeating: 0xFF, count: 6)
        var frame = broadcast + mac + [0x08, 0x06]
        frame += [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]  // Ethernet/IPv4, request
        frame += mac + address.bytes + broadcast + address.bytes
        return frame
    }

    /// The ICMPv6 Neighbor Advertisement (checksum left to the kernel) for `address`.
    public static func neighborAdvertisement(for address: IPAddress, mac: [UInt8]) -> [UInt8] {
        var message: [UInt8] = [136, 0, 0, 0, 0x20, 0, 0, 0]  // type NA, Override flag
        message += address.bytes
        message += [2, 1] + mac  // Target Link-Layer Address option
        return message
    }

    private func sendARP(_ addresses: [IPAddress], mac: [UInt8]) throws(NetlinkError) {
        if arpSocket < 0 {
            // Protocol 0: the socket can send but is never handed a received frame.
            arpSocket = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard arpSocket >= 0 else { throw NetlinkError(operation: "AF_PACKET socket", code: -errno) }
        }
        let fd = arpSocket
        var link = sockaddr_ll()
        link.sll_family = UInt16(AF_PACKET)
        link.sll_protocol = UInt16(0x0806).bigEndian
        link.sll_ifindex = Int32(bitPattern: interface.index)
        link.sll_halen = 6
        withUnsafeMutableBytes(of: &link.sll_addr) { for index in 0..<6 { $0[index] = 0xFF } }
        for address in addresses {
            let frame = Self.arpFrame(for: address, mac: mac)
            let sent = frame.withUnsafeBytes { buffer in
                withUnsafePointer(to: &link) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
                    }
                }
            }
            if sent < 0 { throw NetlinkError(operation: "send gratuitous ARP for \(address)", code: -errno) }
        }
    }

    private func sendNA(_ addresses: [IPAddress], mac: [UInt8]) throws(NetlinkError) {
        if neighborSocket < 0 { neighborSocket = try Self.openNeighborSocket(interfaceIndex: interface.index) }
        let fd = neighborSocket
        var destination = sockaddr_in6()
        destination.sin6_family = sa_family_t(AF_INET6)
        destination.sin6_scope_id = interface.index
        let allNodes = IPAddress("ff02::1")!.bytes
        withUnsafeMutableBytes(of: &destination.sin6_addr) { for i in 0..<16 { $0[i] = allNodes[i] } }
        for address in addresses {
            let message = Self.neighborAdvertisement(for: address, mac: mac)
            let sent = message.withUnsafeBytes { buffer in
                withUnsafePointer(to: &destination) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            }
            if sent < 0 { throw NetlinkError(operation: "send neighbor advertisement for \(address)", code: -errno) }
        }
    }

    /// A raw ICMPv6 socket sending to `interfaceIndex` with hop limit 255 (RFC 4861 §7.2.6),
    /// every received ICMPv6 type blocked (RFC 3542 §3.2).
    private static func openNeighborSocket(interfaceIndex: UInt32) throws(NetlinkError) -> Int32 {
        let fd = socket(AF_INET6, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_ICMPV6))
        guard fd >= 0 else { throw NetlinkError(operation: "ICMPv6 socket", code: -errno) }
        var blockAll = icmp6_filter()
        withUnsafeMutableBytes(of: &blockAll) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0xFF) }
        var hops: Int32 = 255
        var index = Int32(bitPattern: interfaceIndex)
        guard setsockopt(fd, Int32(IPPROTO_ICMPV6), ICMP6_FILTER, &blockAll, socklen_t(MemoryLayout<icmp6_filter>.size)) == 0,
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, &hops, 4) == 0,
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &index, 4) == 0
        else {
            let code = -errno
            Glibc.close(fd)
            throw NetlinkError(operation: "ICMPv6 socket options", code: code)
        }
        return fd
    }
}
