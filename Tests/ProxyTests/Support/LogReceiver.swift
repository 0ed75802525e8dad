#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for a syslog server: a unix socket for `/dev/log`, or UDP on
/// 127.0.0.1 (`log 127.0.0.1:PORT`), read with a timeout.
final class LogReceiver {
    let path: String
    let fd: Int32
    /// The UDP port (0 for a unix socket).
    private(set) var port = 0

    init(path: String) {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        setTimeout(seconds: 3)
    }

    /// A UDP syslog server on 127.0.0.1 at a port the kernel picks (`port`).
    init(udp: Void = ()) {
        path = ""
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        setTimeout(seconds: 3)
    }

    deinit {
        close(fd)
        if !path.isEmpty { unlink(path) }
    }

    /// How long `next()` waits for a datagram.
    func setTimeout(seconds: Int, microseconds: Int = 0) {
        var timeout = timeval(tv_sec: seconds, tv_usec: microseconds)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram without the newline that ends it, or nil after the timeout.
    func next() -> String? {
        guard let datagram = nextDatagram() else { return nil }
        return datagram.hasSuffix("\n") ? String(datagram.dropLast()) : datagram
    }

    /// The next datagram as it arrived, or nil after the timeout.
    func nextDatagram() -> String? {
        var buffer = [UInt8](repeating: 0, count: 70_000)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
