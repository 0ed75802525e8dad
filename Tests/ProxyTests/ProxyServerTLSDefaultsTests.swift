import Foundation
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Proxy

/// `global ssl-default-server-ciphers / -ciphersuites / -options` apply to `server ... ssl`
/// lines that set nothing themselves, and the server line's own setting wins, as in HAProxy.
/// nginx's certificate is ECDSA: a TLS 1.2 cipher list with RSA authentication only cannot
/// complete a handshake with it.
@Suite(.serialized) struct ProxyServerTLSDefaultsTests {
    static let rsaOnly = """
            ssl-default-server-ciphers aRSA
            ssl-default-server-options ssl-max-ver TLSv1.2
        """

    @Test func test_defaultServerCiphers_thatTheServersCertificateCannotUse_failTheCheckWithTheReason() async throws {
        try await ProxyBackendTLSTests().withTLSBackend("ca-file {CA} check inter 100ms rise 1 fall 1", globalLines: Self.rsaOnly) { service, _, _ in
            let failed = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().backends[0].servers[0].lastCheckResult?.passed == false
            }
            #expect(failed)
            let reason = await service.snapshot().backends[0].servers[0].lastCheckResult?.reason ?? ""
            #expect(reason.hasPrefix("Layer6 invalid response: SSL handshake failure"), "\(reason)")
            #expect(reason.contains("handshake failure") || reason.contains("no shared cipher"), "\(reason)")
        }
    }

    @Test func test_serverLineCiphers_winOverTheGlobalDefault() async throws {
        try await ProxyBackendTLSTests().withTLSBackend("ca-file {CA} ciphers ECDHE-ECDSA-AES128-GCM-SHA256 check inter 100ms rise 1 fall 1",
                                                        globalLines: Self.rsaOnly) { service, port, _ in
            let passed = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().backends[0].servers[0].lastCheckResult?.passed == true
            }
            let reason = await service.snapshot().backends[0].servers[0].lastCheckResult?.reason ?? ""
            #expect(passed, "\(reason)")
            #expect(try ProxyBackendTLSTests.get(port: port).status == 200)
        }
    }

    @Test func test_defaultServerOptions_refuseWhatHactlDoesNotApply_atTheirLine() throws {
        let text = "global\n    ssl-default-server-options no-tls-tickets allow-0rtt\nbackend app\n    server s 127.0.0.1:80\n"
        #expect {
            _ = try ConfigurationLoader.parse(text: text, file: "t.conf")
        } throws: { "\($0)".contains("t.conf:2") && "\($0)".contains("allow-0rtt") }
    }

    @Test func test_defaultBindOptions_refuseWhatHactlDoesNotApply_atTheirLine() throws {
        let text = "global\n    ssl-default-bind-options no-tls-tickets prefer-client-ciphers\nfrontend web\n    bind :80\n"
        #expect {
            _ = try ConfigurationLoader.parse(text: text, file: "t.conf")
        } throws: { "\($0)".contains("t.conf:2") && "\($0)".contains("prefer-client-ciphers") }
        // What hactl applies stays accepted.
        _ = try ConfigurationLoader.parse(text: "global\n    ssl-default-bind-options ssl-min-ver TLSv1.3 no-tlsv11 strict-sni\n", file: "t.conf")
    }

    @Test func test_serverCRLFile_thatHoldsNoCRL_isRefusedNamingTheFile() throws {
        let certificates = try TestCertificates()
        let ca = try certificates.certificateAuthority("ca", commonName: "CA")
        let text = "backend app\n    server tls1 127.0.0.1:8443 ssl ca-file \(ca) crl-file \(ca)\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect {
            _ = try ProxyPlan(configuration: configuration)
        } throws: { "\($0)".contains("t.conf:2") && "\($0)".contains("no usable CRL in crl-file") }
    }
}

/// `server ... ssl crl-file PATH`: a server whose certificate its CA revoked fails the health
/// check with OpenSSL's reason; the same server with an unrevoked certificate passes.
@Suite(.serialized) struct ProxyServerCRLTests {
    func check(serverCertificate name: String, revoke: Bool) async throws -> String {
        let certificates = try TestCertificates()
        let ca = try certificates.certificateAuthority("ca", commonName: "Servers CA")
        try certificates.clientCertificate(name, subject: "/CN=backend.example.com", signedBy: "ca")
        try certificates.clientCertificate("other", subject: "/CN=other", signedBy: "ca")
        let crl = try certificates.revoke(revoke ? name : "other", by: "ca")
        let free = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = free.localAddress!.port!
        try await free.close()
        let server = try ChildProcess(
            "/usr/bin/openssl",
            ["s_server", "-quiet", "-accept", "127.0.0.1:\(port)", "-cert", certificates.directory + "/\(name).crt",
             "-key", certificates.directory + "/\(name).key", "-www"],
            standardOutput: .null, standardError: .null)
        defer {
            server.kill(SIGKILL)
            server.waitUntilExit()
        }
        let text = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend web
            bind 127.0.0.1:1
            default_backend app
        backend app
            server s1 127.0.0.1:\(port) ssl ca-file \(ca) crl-file \(crl) check inter 100ms rise 1 fall 1
        """
        var plan = try ProxyPlan(configuration: try ConfigurationLoader.parse(text: text, file: "t.conf"))
        plan.frontends[0].binds[0].port = 0
        var reason = ""
        try await ProxyHarness.withProxy(plan) { service, _ in
            // The first checks may find openssl s_server not listening yet (Layer4): wait for the TLS verdict.
            _ = try await ProxyHarness.waitUntil(seconds: 10) {
                await service.snapshot().backends[0].servers[0].lastCheckResult?.reason.hasPrefix("Layer6") == true
            }
            reason = await service.snapshot().backends[0].servers[0].lastCheckResult?.reason ?? ""
        }
        return reason
    }

    @Test func test_revokedServerCertificate_failsTheCheck_withTheRevocationReason() async throws {
        let reason = try await check(serverCertificate: "backend", revoke: true)
        #expect(reason == "Layer6 invalid response: SSL server certificate verification failed (certificate revoked)", "\(reason)")
    }

    @Test func test_unrevokedServerCertificate_passesTheCheck_underTheSameCRL() async throws {
        let reason = try await check(serverCertificate: "backend", revoke: false)
        #expect(reason == "Layer6 check passed", "\(reason)")
    }
}
