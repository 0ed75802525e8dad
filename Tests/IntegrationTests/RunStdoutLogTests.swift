import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `log stdout format raw daemon`, the container spelling: the hactl binary and HAProxy 2.6 with
/// the same file, one request through each, the line each wrote on its own stdout compared.
/// Masked: the client's port, the accept date, the timers and %ac/%fc; %B is compared (hactl
/// counts the server's response as HAProxy 2.6 does, not the bytes on the wire: see LoggedBytes).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/haproxy"), "needs /usr/sbin/haproxy"))
struct RunStdoutLogTests {
    static func configuration(port: Int, backend: Int) -> String {
        """
        global
            log stdout format raw daemon
        defaults
            mode http
            log global
            option httplog
            option dontlognull
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend web
            bind 127.0.0.1:\(port)
            default_backend app
        backend app
            server app1 127.0.0.1:\(backend)

        """
    }

    @Test func test_logStdoutFormatRaw_writesTheSameLineAsHAProxy() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ha-stdout-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let backend = runFreeLoopbackPort()
        let responder = try LoopbackResponder(body: "same", port: backend)
        defer { responder.stop() }
        #expect(try await Self.get(port: backend, within: .seconds(10)), "the responder did not answer")

        let hactlPort = runFreeLoopbackPort()
        let hactlFile = directory + "/hactl.cfg"
        try Self.configuration(port: hactlPort, backend: backend).write(toFile: hactlFile, atomically: true, encoding: .utf8)
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", hactlFile], environment: [:], standardOutput: directory + "/hactl.out")
        let haproxyPort = runFreeLoopbackPort()
        let haproxyFile = directory + "/haproxy.cfg"
        try Self.configuration(port: haproxyPort, backend: backend).write(toFile: haproxyFile, atomically: true, encoding: .utf8)
        let haproxy = try ChildProcess(
            "/usr/sbin/haproxy", ["-db", "-f", haproxyFile], standardOutput: .file(directory + "/haproxy.out"), standardError: .null)
        defer {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }

        let ours = try await Self.lineAfterOneRequest(port: hactlPort, output: directory + "/hactl.out")
        let theirs = try await Self.lineAfterOneRequest(port: haproxyPort, output: directory + "/haproxy.out")
        #expect(ours != nil, "hactl wrote nothing on stdout; stderr: \(hactl.standardError)")
        #expect(theirs != nil, "HAProxy wrote nothing on stdout")
        #expect(ours.map(Self.masked) == theirs.map(Self.masked), "\nhactl:   \(ours ?? "")\nHAProxy: \(theirs ?? "")")
        #expect(ours?.hasPrefix("127.0.0.1:") == true, "raw: no header before the text: \(ours ?? "")")
        await hactl.stop()
    }

    /// GET /x with curl until one gets a 2xx answer, for at most `limit`; whether one did.
    static func get(port: Int, within limit: Duration) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            let curl = try ChildProcess("/usr/bin/curl", ["-sf", "-o", "/dev/null", "--max-time", "2", "http://127.0.0.1:\(port)/x"])
            if curl.waitUntilExit() == .exited(0) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Sends GET /x once `port` answers (within 10 s), then waits (5 s) for its line on `output`.
    static func lineAfterOneRequest(port: Int, output: String) async throws -> String? {
        guard try await get(port: port, within: .seconds(10)) else { return nil }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("GET /x") }) { return String(line) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    static func masked(_ line: String) -> String {
        var text = line
        text.replace(#/127\.0\.0\.1:\d+ \[[^\]]+\]/#, with: "127.0.0.1:<port> [<accept-date>]", maxReplacements: 1)
        text.replace(#/ -?\d+\/-?\d+\/-?\d+\/-?\d+\/-?\d+ /#, with: " <timers> ", maxReplacements: 1)
        text.replace(#/ ---- \d+\/\d+\//#, with: " ---- <ac>/<fc>/", maxReplacements: 1)
        return text
    }
}
