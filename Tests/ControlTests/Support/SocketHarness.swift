import Logging
import ServiceLifecycle
import Testing
@testable import Control

#if canImport(Glibc)
import Glibc
#endif

/// Runs a `ControlServer` in a `ServiceGroup` on a socket in a fresh temporary directory,
/// waits until it listens, runs `body`, then shuts the group down gracefully.
func withControlServer(
    _ configuration: ControlServer.Configuration = .init(),
    responder: any ControlResponder = FakeResponder(),
    _ body: (String) async throws -> Void
) async throws {
    var template = Array("/tmp/hactl-control-test-XXXXXX".utf8CString)
    let directory = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
    chmod(directory, 0o755)  // the non-root peer test needs to reach the socket
    defer { rmdir(directory) }
    var configuration = configuration
    configuration.path = directory + "/run/hactl.sock"

    let (listening, listeningContinuation) = AsyncStream<Void>.makeStream()
    let server = ControlServer(configuration: configuration, responder: responder, onListening: { listeningContinuation.yield() })
    let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
    let running = Task {
        defer { listeningContinuation.finish() }
        try await group.run()
    }
    var iterator = listening.makeAsyncIterator()
    guard await iterator.next() != nil else {
        try await running.value
        Issue.record("the server stopped before listening")
        return
    }
    do {
        try await body(configuration.path)
    } catch {
        await group.triggerGracefulShutdown()
        try await running.value
        throw error
    }
    await group.triggerGracefulShutdown()
    try await running.value
    var status = stat()
    #expect(lstat(configuration.path, &status) != 0, "the socket file is removed at shutdown")
    rmdir(directory + "/run")
}

/// A blocking POSIX client for hostile-client tests; every read has a deadline.
final class RawClient {
    let fd: Int32

    init(path: String, receiveTimeoutSeconds: Int = 5) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(result == 0, "connect: \(String(cString: strerror(errno)))")
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends what it can; a server that closed early makes the rest fail, which tests expect.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    enum End: Equatable { case eof, timedOut, reset }

    /// Reads until the server closes (or the deadline passes).
    func readToEnd() -> (text: String, end: End) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { data += buffer[..<count]; continue }
            let end: End = count == 0 ? .eof : (errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .reset)
            return (String(decoding: data, as: UTF8.self), end)
        }
    }

    /// Reads one `\n`-terminated line (nil at EOF or deadline).
    func readLine() -> String? {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: data, as: UTF8.self) }
            data.append(byte)
        }
        return nil
    }

    /// Closes with an RST rather than a FIN (SO_LINGER 0): the rudest way to leave.
    func abort() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }
}
