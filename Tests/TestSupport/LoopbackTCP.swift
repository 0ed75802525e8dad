#if canImport(Glibc)
import Glibc
#endif

/// Connects test sockets to a port on 127.0.0.1 (the tests' servers and proxies listen there).
public enum LoopbackTCP {
    /// Connects `fd`, a `SOCK_STREAM` socket, to 127.0.0.1:`port`; `connect(2)`'s result (0, or
    /// -1 with errno set). The caller owns `fd` either way.
    public static func connect(_ fd: Int32, port: Int) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
