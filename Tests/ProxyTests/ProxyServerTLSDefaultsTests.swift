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
