import Foundation
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Proxy

/// `server ... ssl` (re-encryption) against Debian's nginx speaking TLS on loopback: the
/// certificate checked against `ca-file`, the SNI sent, pooled TLS connections reused, and
/// health checks over TLS.
@Suite(.serialized) struct ProxyBackendTLSTests {
    /// nginx with a certificate for backend.example.com and shop.example.com behind a proxy whose
    /// one server line is `server tls1 127.0.0.1:PORT ssl SERVEROPTIONS`. `{CA}` in the options is
    /// the path of nginx's own (self-signed) certificate, `{WRONGCA}` another CA's.
    func withTLSBackend(_ serverOptions: String, globalLines: String = "", mode: String = "http",
                        _ body: (ProxyService, Int, LogCapture) async throws -> Void) async throws {
        guard NginxServer.isInstalled else {
            print("skipped: needs nginx")
            return
        }
        let certificates = try TestCertificates()
        let bundle = try certificates.bundle("backend.pem", commonName: "backend.example.com",
                                             names: ["backend.example.com", "shop.example.com"])
        let wrong = try certificates.bundle("other-ca.pem", commonName: "Other CA", names: [])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let nginx = try NginxServer(name: "tls1", port: try await NginxServer.freePort(group: group), tlsBundle: bundle)
        try nginx.start()
        defer { nginx.stop() }
        let options = serverOptions.replacingOccurrences(of: "{WRONGCA}", with: wrong).replacingOccurrences(of: "{CA}", with: bundle)
        let text = """
        global
            nbthread 1
        \(globalLines)
        defaults
            mode \(mode)
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend web
            bind 127.0.0.1:1
            default_backend app
        backend app
            server tls1 127.0.0.1:\(nginx.port) ssl \(options)

        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        var plan = try ProxyPlan(configuration: configuration)
        plan.frontends[0].binds[0].port = 0
        let logs = LogCapture()
        try await ProxyHarness.withProxy(plan, logs: logs) { service, port in
            try await body(service, port, logs)
        }
        try await group.shutdownGracefully()
    }

    static func get(port: Int, host: String = "127.0.0.1") throws -> TestConnection.Response {
        let connection = try TestConnection(port: port)
        try connection.send("GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
        return try connection.readResponse()
    }

    @Test func test_verifyRequired_withTheServersCA_forwardsOverTLS_sendingTheConfiguredSNI() async throws {
        try await withTLSBackend("verify required ca-file {CA} sni str(backend.example.com)") { _, port, _ in
            let response = try Self.get(port: port)
            #expect(response.status == 200)
            #expect(response.body.hasPrefix("This is HTTPS server tls1 sni=backend.example.com "), "\(response.body)")
        }
    }

    @Test func test_verifyRequired_withAnotherCA_answers503_andLogsWhyTheCertificateFailed() async throws {
        try await withTLSBackend("verify required ca-file {WRONGCA} sni str(backend.example.com)") { _, port, logs in
            let response = try Self.get(port: port)
            #expect(response.status == 503)
            let line = logs.records.first { $0.hasPrefix("TLS handshake with server failed") }
            #expect(line?.contains("server=tls1") == true)
            #expect(line?.contains("reason=SSL server certificate verification failed (self-signed certificate)") == true, "\(logs.records)")
        }
    }

    @Test func test_verifyRequired_certificateForAnotherName_isRefusedAsHostnameMismatch() async throws {
        try await withTLSBackend("ca-file {CA} sni str(www.elsewhere.org)") { _, port, logs in
            let response = try Self.get(port: port)
            #expect(response.status == 503)
            #expect(logs.records.contains { $0.contains("certificate verification failed (hostname mismatch)") }, "\(logs.records)")
        }
    }

    @Test func test_sniFromTheHostField_sendsTheHostWithoutItsPort() async throws {
        try await withTLSBackend("ca-file {CA} sni req.hdr(host)") { _, port, _ in
            let response = try Self.get(port: port, host: "shop.example.com:8443")
            #expect(response.status == 200)
            #expect(response.body.contains("sni=shop.example.com "), "\(response.body)")
        }
    }

    @Test func test_verifyNone_forwardsWithoutACAFile() async throws {
        try await withTLSBackend("verify none") { _, port, _ in
            let response = try Self.get(port: port)
            #expect(response.status == 200)
            #expect(response.body.hasPrefix("This is HTTPS server tls1 sni= "), "\(response.body)")
        }
    }

    @Test func test_keepAlive_secondRequestReusesThePooledTLSConnection() async throws {
        try await withTLSBackend("ca-file {CA} sni str(backend.example.com)") { _, port, _ in
            let first = try Self.get(port: port)
            let second = try Self.get(port: port)
            let connection = { (body: String) in body.split(separator: " ").first { $0.hasPrefix("conn=") } }
            #expect(connection(first.body) != nil)
            #expect(connection(first.body) == connection(second.body), "\(first.body) / \(second.body)")
            #expect(second.body.contains("requests=2"), "\(second.body)")
        }
    }

    @Test func test_sniFromHost_aConnectionForAnotherNameIsNotReused() async throws {
        try await withTLSBackend("ca-file {CA} sni req.hdr(host)") { _, port, _ in
            let first = try Self.get(port: port, host: "shop.example.com")
            let second = try Self.get(port: port, host: "backend.example.com")
            #expect(first.body.contains("sni=shop.example.com requests=1") || first.body.contains("requests=1"))
            #expect(second.body.contains("sni=backend.example.com"), "\(second.body)")
            #expect(second.body.contains("requests=1"), "\(second.body)")
        }
    }

    @Test func test_healthCheck_onAnSSLServer_runsOverTLS_andPasses() async throws {
        try await withTLSBackend("ca-file {CA} check inter 100ms rise 1 fall 1") { service, _, _ in
            let passed = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().backends[0].servers[0].lastCheckResult?.passed == true
            }
            #expect(passed)
            #expect(await service.snapshot().backends[0].servers[0].lastCheckResult?.reason == "Layer6 check passed")
        }
    }

    @Test func test_healthCheck_withAnotherCA_failsWithTheCertificateReason() async throws {
        try await withTLSBackend("ca-file {WRONGCA} check inter 100ms rise 1 fall 1") { service, _, _ in
            let failed = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().backends[0].servers[0].lastCheckResult?.passed == false
            }
            #expect(failed)
            let reason = await service.snapshot().backends[0].servers[0].lastCheckResult?.reason ?? ""
            #expect(reason == "Layer6 invalid response: SSL server certificate verification failed (self-signed certificate)", "\(reason)")
        }
    }

    @Test func test_modeTCP_reencryptsTheStream_withTheConfiguredSNI() async throws {
        try await withTLSBackend("ca-file {CA} sni str(backend.example.com)", mode: "tcp") { _, port, _ in
            let response = try Self.get(port: port)
            #expect(response.status == 200)
            #expect(response.body.hasPrefix("This is HTTPS server tls1 sni=backend.example.com "), "\(response.body)")
        }
    }

    @Test func test_modeTCP_wrongCA_closesTheClientAndLogsTheReason() async throws {
        try await withTLSBackend("ca-file {WRONGCA}", mode: "tcp") { _, port, logs in
            let connection = try TestConnection(port: port)
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let answer = (try? connection.readToEnd()) ?? ""
            #expect(!answer.contains("This is HTTPS server"))
            #expect(logs.records.contains { $0.contains("TLS handshake with server failed") && $0.contains("certificate verification failed") },
                    "\(logs.records)")
        }
    }

    @Test func test_defaultVerifyRequired_withoutCAFile_isRefusedAtTheServerLine() throws {
        let text = """
        backend app
            server tls1 127.0.0.1:8443 ssl
        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect {
            _ = try ProxyPlan(configuration: configuration)
        } throws: { error in
            "\(error)".contains("t.conf:2") && "\(error)".contains("needs 'ca-file PATH'")
        }
    }

    @Test(arguments: ["    ssl-server-verify none\n", ""])
    func test_verifyNone_isAcceptedWithAStartUpWarning(global: String) throws {
        let text = """
        global
        \(global)
        backend app
            server tls1 127.0.0.1:8443 ssl\(global.isEmpty ? " verify none" : "")
        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let plan = try ProxyPlan(configuration: configuration)
        #expect(plan.backends[0].servers[0].tls != nil)
        #expect(plan.configWarnings.contains { $0.message.contains("'verify none': the server's certificate is not checked") })
    }

    @Test func test_sniFromHost_inModeTCP_isRefused() throws {
        let text = """
        backend app
            mode tcp
            server tls1 127.0.0.1:8443 ssl verify none sni req.hdr(host)
        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect(throws: ProxyError.self) { _ = try ProxyPlan(configuration: configuration) }
    }

    @Test func test_missingCAFile_isRefusedNamingTheFile() throws {
        let text = """
        backend app
            server tls1 127.0.0.1:8443 ssl ca-file /nonexistent/ca.pem
        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect {
            _ = try ProxyPlan(configuration: configuration)
        } throws: { error in
            "\(error)".contains("cannot read ca-file '/nonexistent/ca.pem'")
        }
    }
}
