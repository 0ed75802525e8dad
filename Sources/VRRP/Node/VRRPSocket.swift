import Glibc
import Netlink
import Synchronization

/// The raw IP socket (protocol 112) one virtual router sends and receives adverts on
/// (RFC 9568 §5.1.1 / §5.1.2): bound to its interface, TTL / Hop Limit 255, multicast
/// loopback off, joined to 224.0.0.18 or ff02::12 on that interface (or unicast peers).
/// Received packets are read on a dedicated thread and handed to `onPacket`.
final class VRRPSocket: Sendable {
    let ipv4: Bool
    let interface: NetworkInterface
    private let fd: Int32
    private let reader: Mutex<DescriptorReader?> = Mutex(nil)

    struct SocketError: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    init(interface: NetworkInterface, ipv4: Bool, multicastGroup: IPAddress?) throws {
        self.ipv4 = ipv4
        self.interface = interface
        let family = ipv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(AdvertisementCodec.ipProtocol))
        guard fd >= 0 else { throw SocketError(operation: "raw socket (protocol 112)", code: errno) }
        self.fd = fd
        do {
            try Self.configure(fd: fd, interface: interface, ipv4: ipv4, multicastGroup: multicastGroup)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    private static func configure(fd: Int32, interface: NetworkInterface, ipv4: Bool, multicastGroup: IPAddress?) throws {
        func set<T>(_ level: Int32, _ name: Int32, _ value: T, _ what: String) throws {
            let rc = withUnsafeBytes(of: value) { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
            guard rc == 0 else { throw SocketError(operation: "setsockopt \(what)", code: errno) }
        }
        let name = Array(interface.name.utf8) + [0]
        let rc = name.withUnsafeBytes { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0.baseAddress, socklen_t($0.count)) }
        guard rc == 0 else { throw SocketError(operation: "SO_BINDTODEVICE \(interface.name)", code: errno) }
        let index = Int32(bitPattern: interface.index)
        if ipv4 {
            let ip = Int32(IPPROTO_IP)
            var request = ip_mreqn()
            request.imr_ifindex = index
            try set(ip, IP_MULTICAST_IF, request, "IP_MULTICAST_IF")
            try set(ip, IP_MULTICAST_TTL, Int32(255), "IP_MULTICAST_TTL")
            try set(ip, IP_TTL, Int32(255), "IP_TTL")
            try set(ip, IP_MULTICAST_LOOP, Int32(0), "IP_MULTICAST_LOOP")
            if let group = multicastGroup, case .v4(let value) = group {
                request.imr_multiaddr.s_addr = value.bigEndian
                try set(ip, IP_ADD_MEMBERSHIP, request, "IP_ADD_MEMBERSHIP")
            }
        } else {
            let ip6 = Int32(IPPROTO_IPV6)
            try set(ip6, IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF")
            try set(ip6, IPV6_MULTICAST_HOPS, Int32(255), "IPV6_MULTICAST_HOPS")
            try set(ip6, IPV6_UNICAST_HOPS, Int32(255), "IPV6_UNICAST_HOPS")
            try set(ip6, IPV6_MULTICAST_LOOP, Int32(0), "IPV6_MULTICAST_LOOP")
            try set(ip6, IPV6_RECVHOPLIMIT, Int32(1), "IPV6_RECVHOPLIMIT")
            try set(ip6, IPV6_RECVPKTINFO, Int32(1), "IPV6_RECVPKTINFO")
            if let group = multicastGroup {
                var request = ipv6_mreq()
                withUnsafeMutableBytes(of: &request.ipv6mr_multiaddr) { raw in
                    for (offset, byte) in group.bytes.enumerated() { raw[offset] = byte }
                }
                request.ipv6mr_interface = UInt32(index)
                try set(ip6, IPV6_ADD_MEMBERSHIP, request, "IPV6_ADD_MEMBERSHIP")
            }
        }
    }

    /// Starts the reading thread. `onPacket` runs on that thread.
    func startReceiving(_ onPacket: @escaping @Sendable (Result<ReceivedPacket, AdvertisementRejection>) -> Void) throws {
        let fd = self.fd
        let ipv4 = self.ipv4
        let newReader = try DescriptorReader(descriptor: fd) {
            if let packet = Self.receive(fd: fd, ipv4: ipv4) { onPacket(packet) }
        }
        reader.withLock { $0 = newReader }
    }

    /// Sends one VRRP message from `source` to `destination` out of our interface.
    func send(_ payload: [UInt8], from source: IPAddress, to destination: IPAddress) throws {
        let sent: Int
        if ipv4 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            if case .v4(let value) = destination { address.sin_addr.s_addr = value.bigEndian }
            var info = in_pktinfo()
            info.ipi_ifindex = Int32(bitPattern: interface.index)
            if case .v4(let value) = source { info.ipi_spec_dst.s_addr = value.bigEndian }
            sent = Self.sendMessage(fd: fd, payload: payload, name: &address, level: Int32(IPPROTO_IP), type: IP_PKTINFO, info: info)
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_scope_id = interface.index
            withUnsafeMutableBytes(of: &address.sin6_addr) { raw in
                for (offset, byte) in destination.bytes.enumerated() { raw[offset] = byte }
            }
            var info = IPv6PacketInfo()
            info.interfaceIndex = interface.index
            withUnsafeMutableBytes(of: &info.address) { raw in
                for (offset, byte) in source.bytes.enumerated() { raw[offset] = byte }
            }
            sent = Self.sendMessage(fd: fd, payload: payload, name: &address, level: Int32(IPPROTO_IPV6), type: IPV6_PKTINFO, info: info)
        }
        if sent < 0 { throw SocketError(operation: "send advert to \(destination)", code: errno) }
    }

    /// Stops the reading thread and closes the socket.
    func close() {
        let current = reader.withLock { value -> DescriptorReader? in
            defer { value = nil }
            return value
        }
        current?.stop()
        Glibc.close(fd)
    }

    /// `struct in6_pktinfo` (RFC 3542 §6.1), which Glibc only exposes under _GNU_SOURCE.
    private struct IPv6PacketInfo {
        var address: (UInt64, UInt64) = (0, 0)
        var interfaceIndex: UInt32 = 0
    }

    // MARK: Ancillary data (struct cmsghdr is 16 bytes on LP64; data 8-byte aligned)

    private static let cmsgHeader = 16

    private static func sendMessage<Name, Info>(
        fd: Int32, payload: [UInt8], name: inout Name, level: Int32, type: Int32, info: Info
    ) -> Int {
        let infoSize = MemoryLayout<Info>.size
        var control = [UInt8](repeating: 0, count: cmsgHeader + (infoSize + 7) & ~7)
        control.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: cmsgHeader + infoSize, toByteOffset: 0, as: Int.self)
            raw.storeBytes(of: level, toByteOffset: 8, as: Int32.self)
            raw.storeBytes(of: type, toByteOffset: 12, as: Int32.self)
            withUnsafeBytes(of: info) { source in
                raw.baseAddress!.advanced(by: cmsgHeader).copyMemory(from: source.baseAddress!, byteCount: infoSize)
            }
        }
        var payload = payload
        return payload.withUnsafeMutableBytes { body in
            control.withUnsafeMutableBytes { controlBytes in
                withUnsafeMutablePointer(to: &name) { namePointer in
                    var vector = iovec(iov_base: body.baseAddress, iov_len: body.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(namePointer)
                        message.msg_namelen = socklen_t(MemoryLayout<Name>.size)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        return sendmsg(fd, &message, 0)
                    }
                }
            }
        }
    }

    private static func receive(fd: Int32, ipv4: Bool) -> Result<ReceivedPacket, AdvertisementRejection>? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var control = [UInt8](repeating: 0, count: 256)
        var source = sockaddr_in6()
        var controlLength = 0
        let count: Int = buffer.withUnsafeMutableBytes { body in
            control.withUnsafeMutableBytes { controlBytes in
                withUnsafeMutablePointer(to: &source) { namePointer in
                    var vector = iovec(iov_base: body.baseAddress, iov_len: body.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(namePointer)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_in6>.size)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        let count = recvmsg(fd, &message, Int32(MSG_DONTWAIT))
                        controlLength = message.msg_controllen
                        return count
                    }
                }
            }
        }
        guard count >= 0 else { return nil }
        let datagram = Array(buffer.prefix(count))
        if ipv4 { return ReceivedPacket.parsingIPv4(datagram) }

        var hopLimit: UInt8 = 0
        var destination = IPAddress.v6(0, 0)
        var offset = 0
        while offset + cmsgHeader <= controlLength {
            let (length, level, type) = control.withUnsafeBytes { raw in
                (raw.load(fromByteOffset: offset, as: Int.self),
                 raw.load(fromByteOffset: offset + 8, as: Int32.self),
                 raw.load(fromByteOffset: offset + 12, as: Int32.self))
            }
            guard length >= cmsgHeader, offset + length <= controlLength else { break }
            let data = Array(control[offset + cmsgHeader..<offset + length])
            if level == Int32(IPPROTO_IPV6) && type == IPV6_HOPLIMIT && data.count >= 4 {
                hopLimit = UInt8(clamping: data.withUnsafeBytes { $0.load(as: Int32.self) })
            } else if level == Int32(IPPROTO_IPV6) && type == IPV6_PKTINFO && data.count >= 16 {
                destination = IPAddress(bytes: data.prefix(16)) ?? destination
            }
            offset += (length + 7) & ~7
        }
        let sender = IPAddress(bytes: withUnsafeBytes(of: source.sin6_addr) { Array($0) }) ?? .v6(0, 0)
        return .success(ReceivedPacket(source: sender, destination: destination, ttl: hopLimit, payload: datagram))
    }
}
