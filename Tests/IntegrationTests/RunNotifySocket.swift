import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A test-owned stand-in for systemd's notification socket: a unix datagram socket in a fresh
/// temporary directory, to pass as `NOTIFY_SOCKET` to the process under test.
final class RunNotifySocket: @unchecked Sendable {
    let path: String
    private let directory: String
    private let descriptor: Int32
    /// Every assignment received so far (`READY=1`, `STATUS=...`), in order.
    private(set) var received: [String] = []

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ha-notify-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/notify.sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw RunTestError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw RunTestError("bind \(path): errno \(errno)") }
    }

    deinit {
        close(descriptor)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Receives datagrams until `assignment` (e.g. `READY=1`) has arrived `occurrences` times
    /// in all, or `timeout` passes. Returns whether it did.
    func waitFor(_ assignment: String, occurrences: Int = 1, timeout: Duration) -> Bool {
        waitFor(timeout: timeout) { received in received.filter { $0 == assignment }.count >= occurrences }
    }

    /// The text of the most recent `STATUS=` received so far.
    var latestStatus: String? {
        received.last { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst("STATUS=".count)) }
    }

    /// Receives datagrams until the most recent `STATUS=` satisfies `predicate` (older lines do
    /// not count: a node may pass through a state on its way elsewhere).
    func waitForStatus(timeout: Duration, where predicate: @escaping (String) -> Bool) -> Bool {
        waitFor(timeout: timeout, until: { (_: [String]) in self.latestStatus.map(predicate) ?? false })
    }

    /// Receives datagrams until one assignment satisfies `predicate` (e.g. a `STATUS=` line).
    func waitFor(timeout: Duration, assignmentWhere predicate: (String) -> Bool) -> Bool {
        waitFor(timeout: timeout) { received in received.contains(where: predicate) }
    }

    private func waitFor(timeout: Duration, until condition: ([String]) -> Bool) -> Bool {
        func done() -> Bool { condition(received) }
        if done() { return true }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let remaining = clock.now.duration(to: deadline)
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&poller, 1, milliseconds) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            received += lines
            if done() { return true }
        }
        return false
    }
}

struct RunTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback TCP port nothing listens on now, from 20000-32767: below Linux's ephemeral range
/// (32768-60999), so the other suites' outgoing connections cannot be holding it.
func runFreeLoopbackPort() -> Int {
    for _ in 0..<50 {
        let port = Int.random(in: 20000...32700)
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { continue }
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    return Int.random(in: 20000...32700)
}
