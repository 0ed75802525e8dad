#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

/// Where log lines go: HAProxy's `log stdout`, `log stderr`, a syslog unix datagram socket
/// (`log /dev/log local0`) or UDP syslog (`log 127.0.0.1 local0`), each with its own `format`,
/// `len` and levels (see `LogTarget`, `SyslogHeader`).
///
/// Sockets, addresses and the static part of each header are prepared once; `emit` builds one
/// buffer per target and sends it with a single `write`/`sendto`, lock-free, from any loop.
final class LogSink: Sendable {
    let targets: [LogTarget]
    private let outputs: [Output]

    /// One target ready to send: its header, its socket and its address.
    private struct Output: @unchecked Sendable {
        // @unchecked: `sockaddr_un` is a plain C struct that is never mutated after init.
        let target: LogTarget
        let header: SyslogHeader
        let fd: Int32
        let udpAddress: SocketAddress?
        let unixAddress: sockaddr_un?
    }

    init(targets: [LogTarget]) {
        self.targets = targets
        let pid = getpid()
        outputs = targets.map { target in
            let header = SyslogHeader(target: target, pid: pid)
            switch target.destination {
            case .stdout: return Output(target: target, header: header, fd: 1, udpAddress: nil, unixAddress: nil)
            case .stderr: return Output(target: target, header: header, fd: 2, udpAddress: nil, unixAddress: nil)
            case .unixSocket(let path):
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                let capacity = MemoryLayout.size(ofValue: address.sun_path)
                withUnsafeMutableBytes(of: &address.sun_path) { raw in
                    for (i, b) in path.utf8.prefix(capacity - 1).enumerated() { raw[i] = b }
                }
                let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                return Output(target: target, header: header, fd: fd, udpAddress: nil, unixAddress: address)
            case .udp(let host, let port):
                let address = try? SocketAddress(ipAddress: host, port: port)
                let family = address?.protocol == .inet6 ? AF_INET6 : AF_INET
                let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                return Output(target: target, header: header, fd: fd, udpAddress: address, unixAddress: nil)
            }
        }
    }

    deinit {
        for output in outputs where output.fd > 2 { close(output.fd) }
    }

    /// Sends `line` to every target whose levels let `severity` through. Traffic logs (httplog,
    /// tcplog, log-format, TLS handshake failures) are `info`, as HAProxy sends them without
    /// `option log-separate-errors`.
    func emit(_ line: String, severity: LogSeverity = .info) {
        var time: SyslogTime?
        var text = line
        text.withUTF8 { message in
            for output in outputs {
                guard output.fd >= 0, let effective = output.target.effectiveSeverity(severity) else { continue }
                if output.header.needsTime, time == nil { time = SyslogClock.now() }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(min(output.target.maxLength, 64 + message.count) + 1)
                output.header.append(severity: effective, time: time, to: &bytes)
                bytes.append(contentsOf: message)
                // `len N`: the line is cut to N bytes, then ends with its newline (HAProxy 2.6).
                if bytes.count > output.target.maxLength { bytes.removeLast(bytes.count - output.target.maxLength) }
                bytes.append(UInt8(ascii: "\n"))
                send(bytes, to: output)
            }
        }
    }

    private func send(_ bytes: [UInt8], to output: Output) {
        bytes.withUnsafeBytes { buffer in
            if let address = output.udpAddress {
                address.withSockAddr { sa, length in
                    _ = sendto(output.fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), sa, socklen_t(length))
                }
            } else if var address = output.unixAddress {
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                        _ = sendto(output.fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), sa, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            } else {
                // stdout/stderr: one write(2), as HAProxy's fd@ targets; a short write is finished.
                var offset = 0
                while offset < buffer.count {
                    let n = write(output.fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { return }
                    offset += n
                }
            }
        }
    }
}
