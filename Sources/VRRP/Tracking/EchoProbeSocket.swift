import Glibc
import Netlink
import Synchronization

/// The I/O half of `vrrp_witness`: a raw ICMPv4 socket bound to the instance's interface that
/// sends echo requests (RFC 792) carrying our identifier and a sequence number, and reports each
/// echo reply carrying that identifier. Replies are read on a dedicated thread and handed to
/// `onReply`; what they mean is decided elsewhere (`WitnessRounds`, `VRRPStateMachine`).
final class EchoProbeSocket: Sendable {
    let identifier: UInt16
    private let fd: Int32
    private let reader: Mutex<DescriptorReader?> = Mutex(nil)

    init(interface: NetworkInterface, identifier: UInt16) throws {
        self.identifier = identifier
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_ICMP))
        guard fd >= 0 else { throw VRRPSocket.SocketError(operation: "raw socket (ICMP)", code: errno) }
        let name = Array(interface.name.utf8) + [0]
        let rc = name.withUnsafeBytes { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0.baseAddress, socklen_t($0.count)) }
        guard rc == 0 else {
            let code = errno
            Glibc.close(fd)
            throw VRRPSocket.SocketError(operation: "SO_BINDTODEVICE \(interface.name) (ICMP)", code: code)
        }
        self.fd = fd
    }

    /// Starts the reading thread; `onReply(source, sequence)` runs on it.
    func startReceiving(_ onReply: @escaping @Sendable (IPAddress, UInt16) -> Void) throws {
        let fd = self.fd
        let identifier = self.identifier
        let newReader = try DescriptorReader(descriptor: fd) {
            var buffer = [UInt8](repeating: 0, count: 1500)
            var source = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { body in
                withUnsafeMutablePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, body.baseAddress, body.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            guard count > 0, let reply = Self.parseReply(Array(buffer.prefix(count)), identifier: identifier) else { return }
            onReply(.v4(UInt32(bigEndian: source.sin_addr.s_addr)), reply)
        }
        reader.withLock { $0 = newReader }
    }

    /// Sends one echo request to `destination`.
    func send(to destination: IPAddress, sequence: UInt16) throws {
        guard case .v4(let value) = destination else { return }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = value.bigEndian
        let message = Self.request(identifier: identifier, sequence: sequence)
        let sent = message.withUnsafeBytes { body in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, body.baseAddress, body.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        if sent < 0 { throw VRRPSocket.SocketError(operation: "echo request to \(destination)", code: errno) }
    }

    func close() {
        let current = reader.withLock { value -> DescriptorReader? in
            defer { value = nil }
            return value
        }
        current?.stop()
        Glibc.close(fd)
    }

    // MARK: Messages (RFC 792)

    static let payload = Array("hactl vrrp_witness".utf8)

    /// Type 8 (echo request), code 0, checksum, identifier, sequence, payload.
    static func request(identifier: UInt16, sequence: UInt16) -> [UInt8] {
        var message: [UInt8] = [8, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        message += payload
        let checksum = InternetChecksum.checksum([message])
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xFF)
        return message
    }

    /// The sequence number of an echo reply (type 0) with our identifier, from a datagram as a
    /// raw IPv4 socket delivers it (IP header first); nil for anything else.
    static func parseReply(_ datagram: [UInt8], identifier: UInt16) -> UInt16? {
        guard let first = datagram.first, first >> 4 == 4 else { return nil }
        let headerLength = Int(first & 0x0F) * 4
        guard datagram.count >= headerLength + 8 else { return nil }
        let icmp = datagram[headerLength...]
        let base = icmp.startIndex
        guard icmp[base] == 0, icmp[base + 1] == 0 else { return nil }
        let id = UInt16(icmp[base + 4]) << 8 | UInt16(icmp[base + 5])
        guard id == identifier else { return nil }
        return UInt16(icmp[base + 6]) << 8 | UInt16(icmp[base + 7])
    }
}
