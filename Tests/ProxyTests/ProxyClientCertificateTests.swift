import Foundation
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Proxy

/// `bind ... ssl verify optional|required ca-file PATH crl-file PATH` (mTLS) end to end:
/// a CA, a client certificate and a revoked one made by Debian's openssl in the test, curl as
/// the client, `ssl_c_*` fetches in a header and an ACL.
@Suite(.serialized) struct ProxyClientCertificateTests {
    func withMTLSProxy(verify: String, _ body: (TestHTTPServer, Int, TestCertificates) async throws -> Void) async throws {
        let certificates = try TestCertificates()
        let site = try certificates.bundle("site.pem", commonName: "site.example.com", names: ["site.example.com"])
        let ca = try certificates.certificateAuthority("clients-ca", commonName: "Clients CA")
        try certificates.clientCertificate("alice", subject: "/O=Example/CN=alice", signedBy: "clients-ca")
        try certificates.clientCertificate("mallory", subject: "/O=Example/CN=mallory", signedBy: "clients-ca")
        let crl = try certificates.revoke("mallory", by: "clients-ca")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "websvr1", group: group)
        let text = """
        global
            nbthread 1
        defaults
            mode http
            timeout connect 1s
            timeout client 2s
            timeout server 5s
        frontend web
            bind 127.0.0.1:2 ssl crt \(site) verify \(verify) ca-file \(ca) crl-file \(crl)
            http-request set-header X-Client "%[ssl_c_used] %[ssl_c_verify] %[ssl_c_s_dn] %[ssl_c_i_dn]"
            http-request deny if { path_beg /members } !{ ssl_c_used }
            http-request deny if { path_beg /alice } !{ ssl_c_s_dn -m str /O=Example/CN=alice }
            default_backend app
        backend app
            server websvr1 127.0.0.1:\(server.port)

        """
        var plan = try ProxyPlan(configuration: try ConfigurationLoader.parse(text: text, file: "t.conf"))
        plan.frontends[0].binds[0].port = 0
        do {
            try await ProxyHarness.withProxy(plan) { service, _ in
                try await body(server, try #require(service.boundAddresses().first?.port), certificates)
            }
        } catch {
            await server.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
    }

    func curl(_ port: Int, _ path: String, _ certificates: TestCertificates, client: String?) throws -> String {
        var arguments = ["-i", "--http1.1", "--cacert", certificates.directory + "/site.pem",
                         "--resolve", "site.example.com:\(port):127.0.0.1", "https://site.example.com:\(port)\(path)"]
        if let client { arguments += ["--cert", certificates.directory + "/\(client).pem"] }
        return try Curl.run(arguments)
    }

    @Test func test_verifyOptional_fetchesDescribeTheClientCertificate_andACLsSeeThem() async throws {
        try await withMTLSProxy(verify: "optional") { server, port, certificates in
            let alice = try curl(port, "/headers", certificates, client: "alice")
            #expect(alice.hasPrefix("HTTP/1.1 200"), "\(alice)")
            #expect(alice.contains("X-Client: 1 0 /O=Example/CN=alice /CN=Clients CA"), "\(alice)")
            let aliceOnly = try curl(port, "/alice", certificates, client: "alice")
            #expect(aliceOnly.hasPrefix("HTTP/1.1 200"), "ssl_c_s_dn in an ACL: \(aliceOnly)")
            let notAlice = try curl(port, "/alice", certificates, client: nil)
            #expect(notAlice.hasPrefix("HTTP/1.1 403"), "\(notAlice)")
            let anonymous = try curl(port, "/headers", certificates, client: nil)
            #expect(anonymous.hasPrefix("HTTP/1.1 200"), "optional: a client without a certificate is served: \(anonymous)")
            #expect(anonymous.contains("X-Client: 0 0  "), "\(anonymous)")
            let members = try curl(port, "/members", certificates, client: nil)
            #expect(members.hasPrefix("HTTP/1.1 403"), "ssl_c_used in an ACL: \(members)")
        }
    }

    @Test func test_revokedClientCertificate_failsTheHandshake_theCRLIsChecked() async throws {
        try await withMTLSProxy(verify: "optional") { server, port, certificates in
            let mallory = try curl(port, "/headers", certificates, client: "mallory")
            #expect(mallory.isEmpty, "a revoked certificate gets no answer: \(mallory)")
            let openssl = try ProxyTLSTests.sClient(port: port, ["-servername", "site.example.com",
                                                                 "-cert", certificates.directory + "/mallory.pem"], input: "GET / HTTP/1.0\r\n\r\n")
            #expect(openssl.output.contains("certificate revoked"), "\(openssl.output)")
            #expect(server.trafficRequests.isEmpty)
        }
    }

    @Test func test_verifyRequired_refusesAClientWithoutACertificate() async throws {
        try await withMTLSProxy(verify: "required") { server, port, certificates in
            let anonymous = try curl(port, "/headers", certificates, client: nil)
            #expect(!anonymous.hasPrefix("HTTP/1.1 200"), "\(anonymous)")
            let alice = try curl(port, "/alice", certificates, client: "alice")
            #expect(alice.hasPrefix("HTTP/1.1 200"), "\(alice)")
            #expect(server.trafficRequests.count == 1)
        }
    }

    @Test func test_check_refusesVerifyWithoutCAFile_andABadCRLFile() throws {
        let certificates = try TestCertificates()
        let site = try certificates.bundle("site.pem", commonName: "site", names: ["site.example.com"])
        let ca = try certificates.certificateAuthority("ca", commonName: "CA")
        let noCA = "frontend web\n    mode http\n    bind :443 ssl crt \(site) verify required\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        #expect {
            _ = try ConfigurationLoader.parse(text: noCA, file: "t.conf")
        } throws: { "\($0)".contains("t.conf:3") && "\($0)".contains("needs 'ca-file PATH'") }
        let badCRL = "frontend web\n    mode http\n    bind :443 ssl crt \(site) verify required ca-file \(ca) crl-file \(site)\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: badCRL, file: "t.conf")
        #expect {
            try ProxyService.validate(configuration)
        } throws: { "\($0)".contains("t.conf:3") && "\($0)".contains("no usable CRL in crl-file") }
    }
}
