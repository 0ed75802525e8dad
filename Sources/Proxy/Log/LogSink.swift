#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where `option httplog` lines go: HAProxy's `log stdout`, `log stderr`, or a syslog unix
/// datagram socket (`log /dev/log local0`), RFC 3164 framing for syslog.
final class LogSink: Sendable {
    let targets: [LogTarget]

    init(targets: [LogTarget]) {
        self.targets = targets
    }

    func emit(_ line: String) {
        for target in targets {
            switch target {
            case .stdout: Self.writeAll(1, line + "\n")
            case .stderr: Self.writeAll(2, line + "\n")
            case .syslogUnixSocket(let path, let facility):
                // PRI = facility * 8 + severity (6: informational).
                Self.sendDatagram(path: path, "<\(facility * 8 + 6)>hactl[\(getpid())]: \(line)")
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

    private static func sendDatagram(path: String, _ text: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
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
