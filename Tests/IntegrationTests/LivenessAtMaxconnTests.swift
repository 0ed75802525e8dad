import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The liveness probe when the proxy is at `maxconn`, with the real binary: the listeners are
/// paused, so the probe's connection waits in the accept queue unanswered, as every new
/// client's does. That is the limit working: HAProxy keeps serving the clients it holds and
/// keepalived's process check stays up. A restart would drop every one of those clients, and
/// the VIP would move to a peer for nothing. The proxy must stay up while its loops run tasks,
/// and accept again once a client leaves.
@Suite(.serialized) struct LivenessAtMaxconnTests {
    /// A client that connects and says nothing: it holds one of the `maxconn` slots.
    static func silentClient(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        guard LoopbackTCP.connect(fd, port: port) == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// The status code curl gets for `GET /` (000 when nothing answered within 3 s).
    static func status(port: Int) -> String {
        let curl = try? ChildProcess.run(
            "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", "http://127.0.0.1:\(port)/"], standardError: .null)
        return curl?.standardOutput ?? ""
    }

    @Test func test_atMaxconn_theProxyIsNotProbedDown_andServesAgainWhenAClientLeaves() async throws {
        let port = runFreeLoopbackPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ha-maxconn-\(port)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/hactl.conf"
        try RunConfigurations.loopbackProxy(port: port, maxconn: 2).write(toFile: path, atomically: true, encoding: .utf8)
        let notify = try RunNotifySocket()
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", path], environment: ["NOTIFY_SOCKET": notify.path])
        #expect(notify.waitFor("READY=1", timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(Self.status(port: port) == "503", "serving before the limit (no server listens: 503)")

        let holders = [try Self.silentClient(port: port), try Self.silentClient(port: port)]
        // Fifteen probe rounds (200 ms apart, DOWN after 2 failures), within the clients' 5 s
        // `timeout client`: watched the whole while.
        let restarted = try await hactl.restartsProxy(within: .seconds(3))
        #expect(!restarted, "a proxy at maxconn must not be restarted: \(hactl.standardError)")

        // A client leaves: the slot it frees takes the next connection.
        close(holders[0])
        #expect(Self.status(port: port) == "503", "serving again once a client left: \(hactl.standardError)")
        close(holders[1])
        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(hactl.standardError)")
        await hactl.stop()
    }
}
