import CNetlink
import Glibc

/// Link (carrier / admin) changes from the kernel: an rtnetlink socket subscribed to
/// RTMGRP_LINK, read on its own thread. Feeds keepalived's `track_interface`.
public final class LinkMonitor: Sendable {
    private let fd: Int32
    private let reader: DescriptorReader

    /// - Parameter onChange: called on the monitor's thread with (ifindex, up) for every link message.
    public init(onChange: @escaping @Sendable (UInt32, Bool) -> Void) throws(NetlinkError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw NetlinkError(operation: "netlink socket", code: -errno) }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = UInt32(RTMGRP_LINK)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw NetlinkError(operation: "bind RTMGRP_LINK", code: -errno)
        }
        self.fd = fd
        do {
            reader = try DescriptorReader(descriptor: fd) {
                var buffer = [UInt8](repeating: 0, count: 16384)
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard count > 0 else { return }
                for (index, up) in Self.parse(Array(buffer.prefix(count))) { onChange(index, up) }
            }
        } catch {
            close(fd)
            throw error
        }
    }

    /// Stops reading and closes the socket.
    public func stop() {
        reader.stop()
        close(fd)
    }

    /// (ifindex, IFF_UP && IFF_RUNNING) for each RTM_NEWLINK message in a netlink datagram.
    static func parse(_ bytes: [UInt8]) -> [(UInt32, Bool)] {
        var result: [(UInt32, Bool)] = []
        var offset = 0
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        while offset + 16 <= bytes.count {
            let length = Int(u32(offset))
            let type = UInt16(bytes[offset + 4]) | UInt16(bytes[offset + 5]) << 8
            guard length >= 16, offset + length <= bytes.count else { break }
            if type == UInt16(RTM_NEWLINK), length >= 32 {
                // struct ifinfomsg after the 16-byte header: family, pad, type(2), index(4), flags(4)
                let index = u32(offset + 20)
                let flags = u32(offset + 24)
                let up = flags & 0x1 != 0 && flags & 0x40 != 0
                result.append((index, up))
            }
            offset += (length + 3) & ~3
        }
        return result
    }
}
