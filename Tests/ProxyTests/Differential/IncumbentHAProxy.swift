import Foundation
import Testing
import TestSupport

/// HAProxy from Debian run as the reference: the same configuration text hactl's proxy parses,
/// in the foreground (`-db`), stopped by pid. The differential tests compare what it does with
/// what hactl does.
final class IncumbentHAProxy {
    static let path = "/usr/sbin/haproxy"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    private let process: ChildProcess
    private let file: URL

    /// Starts HAProxy on `configuration` and returns once `port` accepts connections.
    init(configuration: String, port: Int) throws {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-diff-\(getpid())-\(port).cfg")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        process = try ChildProcess(Self.path, ["-db", "-f", file.path], standardOutput: .null, standardError: .null)
        let deadline = Date().addingTimeInterval(5)
        while (try? TestConnection(port: port, timeoutMilliseconds: 200)) == nil {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw TestConnection.Failure(description: "haproxy did not listen on \(port) within 5 s")
            }
            usleep(10_000)
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: file)
    }

    deinit { stop() }

    /// A port free on 127.0.0.1 right now (HAProxy needs it written in its file).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw TestConnection.Failure(description: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
