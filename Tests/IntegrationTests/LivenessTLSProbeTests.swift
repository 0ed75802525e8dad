import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The liveness probe on a `bind ... ssl` line, with the real binary: it completes a TLS
/// handshake and asks `OPTIONS *` over it, so handshakes that no longer complete (the
/// debug-only fault drops the TLS connections' bytes while every loop keeps running tasks and
/// the plain bind keeps answering) take the proxy DOWN and restart it; a healthy TLS bind is
/// never restarted over.
@Suite(.serialized) struct LivenessTLSProbeTests {
    static func configuration(plain: Int, tls: Int, certificate: String) -> String {
        """
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        frontend web
            bind 127.0.0.1:\(plain)
            bind 127.0.0.1:\(tls) ssl crt \(certificate) strict-sni
            default_backend app

        backend app
            server app1 127.0.0.1:\(plain + 2)

        """
    }

    static func start(environment: [String: String]) throws -> (RunHactlProcess, RunNotifySocket, tls: Int, directory: String) {
        let plain = runFreeLoopbackPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ha-tlsprobe-\(plain)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificate = directory + "/site.pem"
        try RunCertificateReloadTests.makeCertificate(commonName: "site", at: certificate)
        let path = directory + "/hactl.conf"
        try configuration(plain: plain, tls: plain + 1, certificate: certificate).write(toFile: path, atomically: true, encoding: .utf8)
        let notify = try RunNotifySocket()
        var environment = environment
        environment["NOTIFY_SOCKET"] = notify.path
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", path], environment: environment)
        return (hactl, notify, plain + 1, directory)
    }

    @Test func test_tlsBindWhoseHandshakesStall_isProbedDown_andTheProxyRestarted() async throws {
        let (hactl, notify, tls, directory) = try Self.start(environment: ["HACTL_TEST_STALL_TLS_HANDSHAKE_AFTER_MS": "1500"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(notify.waitFor("READY=1", timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(hactl.standardError.contains("test fault armed: TLS handshakes will stall"), "stderr: \(hactl.standardError)")
        // Before the fault is due the TLS bind serves; after it the probe must say DOWN (bounded wait).
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, !hactl.standardError.contains("restart requested") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = hactl.standardError
        #expect(log.contains("restart requested"), "stderr: \(log)")
        #expect(log.contains("127.0.0.1:\(tls): TLS handshake and answer not done within"), "the reason names the TLS bind: \(log)")
        hactl.signal(SIGTERM)
        _ = await hactl.waitForExit(timeout: .seconds(20))
        await hactl.stop()
    }

    @Test func test_healthyTLSBind_underTheProbe_isNeverRestartedOverFiveSeconds() async throws {
        let (hactl, notify, tls, directory) = try Self.start(environment: [:])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(notify.waitFor("READY=1", timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        let restarted = try await hactl.restartsProxy(within: .seconds(5))
        #expect(!restarted, "stderr: \(hactl.standardError)")
        #expect(!hactl.standardError.contains("SSL handshake failure"), "the probe's handshakes succeed: \(hactl.standardError)")
        #expect(RunCertificateReloadTests.servedSubject(port: tls) == "subject=CN = site", "the TLS bind still serves clients")
        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(hactl.standardError)")
        await hactl.stop()
    }
}
