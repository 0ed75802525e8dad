#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

/// Where log lines go: HAProxy's `log stdout`, `log stderr`, a syslog unix datagram socket
/// (`log /dev/log local0`) or UDP syslog (`log 127.0.0.1 local0`), RFC 3164 framing for syslog.
///
/// Sockets are opened once; `emit` is a single `write`/`sendto`, safe from any loop.
final class LogSink: Sendable {
    let targets: [LogTarget]
    private let sockets: [Int32]

    init(targets: [LogTarget]) {
        self.targets = targets
        sockets = targets.map { target in
            switch target {
            case .stdout, .stderr: return -1
            case .syslogUnixSocket: return socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            case .syslogUDP(let host, let port, _):
                let family = (try? SocketAddress(ipAddress: host, port: port))?.protocol == .inet6 ? AF_INET6 : AF_INET
                return socket(family, Int32(SOCK_DGRAM.rawValue), 0)
            }
        }
    }

    deinit {
        for fd in sockets where fd >= 0 { close(fd) }
    }

    func emit(_ line: String) {
        for (target, fd) in zip(targets, sockets) {
            switch target {
            case .stdout: Self.writeAll(1, line + "\n")
            case .stderr: Self.writeAll(2, line + "\n")
            case .syslogUnixSocket(let path, let facility):
                // PRI = facility * 8 + severity (6: informational).
                Self.sendUnix(fd: fd, path: path, "<\(facility * 8 + 6)>hactl[\(getpid())]: \(line)")
            case .syslogUDP(let host, let port, let facility):
                guard let address = try? SocketAddress(ipAddress: host, port: port) else { continue }
                var message = "<\(facility * 8 + 6)>hactl[\(getpid())]: \(line)"
                message.withUTF8 { bytes in
                    address.withSockAddr { sa, length in
                        _ = sendto(fd, bytes.baseAddress, bytes.count, 0, sa, socklen_t(length))
                    }
                }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    private static func sendUnix(fd: Int32, path: String, _ text: String) {
        guard fd >= 0 else { return }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.prefix(capacity - 1).enumerated() { raw[i] = b }
        }
        var message = text
        message.withUTF8 { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    _ = sendto(fd, bytes.baseAddress, bytes.count, 0, sa, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
    }
}
