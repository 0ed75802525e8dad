import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A certificate file replaced under an unchanged configuration text: SIGHUP serves the new
/// certificate to new connections, a TLS connection with a request in flight gets its answer,
/// and a broken file is refused while the previous certificate keeps being served.
@Suite(.serialized) struct RunCertificateReloadTests {
    /// The subject line `openssl s_client` prints for the certificate served on `port`.
    static func servedSubject(port: Int) -> String? {
        let client = try? ChildProcess.run(
            "/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "site.example.com"], standardError: .null)
        return client?.standardOutput.split(separator: "\n").first { $0.hasPrefix("subject=") }.map(String.init)
    }

    static func makeCertificate(commonName: String, at path: String) throws {
        try ChildProcess(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(commonName)",
             "-days", "30", "-keyout", path + ".key", "-out", path + ".crt", "-addext", "subjectAltName=DNS:site.example.com"],
            standardOutput: .null, standardError: .null
        ).waitUntilExit()
        let bundle = try String(contentsOfFile: path + ".crt", encoding: .utf8) + String(contentsOfFile: path + ".key", encoding: .utf8)
        try bundle.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func test_sighupAfterTheCertificateFileChanged_servesTheNewOne_andABrokenFileIsRefused() async throws {
        let base = runFreeLoopbackPort()
        let (frontend, backend) = (base, base + 1)
        let responder = try LoopbackResponder(body: "done", port: backend)
        defer { responder.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ha-certreload-\(base)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = directory + "/site.pem"
        try Self.makeCertificate(commonName: "first", at: certificate)
        let path = directory + "/hactl.conf"
        try """
        defaults
            mode http
            timeout connect 1s
            timeout client 10s
            timeout server 10s

        frontend web
            bind 127.0.0.1:\(frontend) ssl crt \(certificate)
            default_backend app

        backend app
            server app1 127.0.0.1:\(backend)

        """.write(toFile: path, atomically: true, encoding: .utf8)

        let notify = try RunNotifySocket()
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", path], environment: ["NOTIFY_SOCKET": notify.path])
        #expect(notify.waitFor("READY=1", timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(RunReloadTests.eventually { Self.servedSubject(port: frontend) == "subject=CN = first" }, "stderr: \(hactl.standardError)")

        // A client with a request in flight on an established TLS connection.
        let client = try ChildProcess("/usr/bin/env", ["python3", "-c", """
            import socket, ssl, sys
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", \(frontend))), server_hostname="site.example.com")
            s.sendall(b"GET /slow HTTP/1.1\\r\\nHost: site.example.com\\r\\n\\r\\n")
            print("sent", flush=True)
            data = b""
            while not data.endswith(b"done"):
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            print(data.split(b"\\r\\n")[0].decode(), data[-4:].decode(), flush=True)
            """], standardOutput: .pipe, standardError: .null)
        defer {
            client.kill(SIGKILL)
            client.waitUntilExit()
        }
        let sent = client.standardOutput.readAvailable()
        #expect(String(decoding: sent, as: UTF8.self).hasPrefix("sent"))

        // Same configuration text, new certificate content.
        try Self.makeCertificate(commonName: "second", at: certificate)
        hactl.signal(SIGHUP)
        #expect(notify.waitFor("READY=1", occurrences: 2, timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(hactl.standardError.contains("reload applied"), "stderr: \(hactl.standardError)")
        #expect(Self.servedSubject(port: frontend) == "subject=CN = second", "stderr: \(hactl.standardError)")
        let answered = String(decoding: client.standardOutput.readToEnd(), as: UTF8.self)
        client.waitUntilExit()
        #expect(answered.contains("HTTP/1.1 200 OK done"), "the in-flight request must be answered: \(answered)")

        // A broken file: refused, the second certificate keeps being served.
        try "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n".write(toFile: certificate, atomically: true, encoding: .utf8)
        hactl.signal(SIGHUP)
        #expect(notify.waitFor("READY=1", occurrences: 3, timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(hactl.standardError.contains("nothing changed"), "stderr: \(hactl.standardError)")
        #expect(hactl.standardError.contains(certificate), "the error names the file: \(hactl.standardError)")
        #expect(Self.servedSubject(port: frontend) == "subject=CN = second")
        #expect(hactl.process.isRunning)

        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(hactl.standardError)")
        await hactl.stop()
    }
}
