import Foundation
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Proxy

/// `bind ... ssl crt-list FILE` (HAProxy's format) end to end: real sockets on loopback,
/// certificates chosen by SNI filters, wildcards and `!` exclusions, per-line bracket options,
/// judged by Debian's `openssl s_client`.
@Suite(.serialized) struct ProxyCertificateListTests {
    static let list = """
        # one certificate per line: PATH [OPTIONS] [[!]SNI ...]
        certs/a.pem [alpn http/1.1] a.example.com

        certs/wild.pem *.example.net !secret.example.net   # the wildcard, minus one name
        certs/b.pem [ssl-min-ver TLSv1.3 ciphersuites TLS_CHACHA20_POLY1305_SHA256] b.example.com other.example.org
        certs/secret.pem
        """

    func withCertificateList(_ body: (Int, TestCertificates) async throws -> Void) async throws {
        let certificates = try TestCertificates()
        try certificates.bundle("certs/a.pem", commonName: "a.example.com", names: ["a.example.com"])
        try certificates.bundle("certs/wild.pem", commonName: "wildcard", names: ["*.example.net"])
        try certificates.bundle("certs/b.pem", commonName: "b.example.com", names: ["b.example.com"])
        try certificates.bundle("certs/secret.pem", commonName: "secret", names: ["secret.example.net"])
        try Self.list.write(toFile: certificates.directory + "/site.crtlist", atomically: true, encoding: .utf8)
        let text = """
        global
            nbthread 1
            crt-base \(certificates.directory)
        defaults
            mode http
            timeout connect 1s
            timeout client 2s
            timeout server 5s
        frontend web
            bind 127.0.0.1:2 ssl crt-list site.crtlist
            default_backend app
        backend app
            server s 127.0.0.1:9

        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect(configuration.frontends[0].binds[0].certificateList.map(\.location.line) == [2, 4, 5, 6])
        var plan = try ProxyPlan(configuration: configuration)
        plan.frontends[0].binds[0].port = 0
        try await ProxyHarness.withProxy(plan) { service, _ in
            try await body(try #require(service.boundAddresses().first?.port), certificates)
        }
    }

    @Test func test_sniFilters_selectTheCertificate_wildcardsNegativesAndTheDefault() async throws {
        try await withCertificateList { port, _ in
            for (name, subject) in [("a.example.com", "CN = a.example.com"),
                                    ("www.example.net", "CN = wildcard"),
                                    ("secret.example.net", "CN = secret"),       // `!` sends it past the wildcard
                                    ("other.example.org", "CN = b.example.com"), // a filter the certificate does not carry
                                    ("unknown.example.org", "CN = a.example.com")] { // no match: the first line
                let result = try ProxyTLSTests.sClient(port: port, ["-servername", name])
                #expect(result.output.contains("subject=\(subject)"), "SNI \(name): \(result.output)")
            }
            let anonymous = try ProxyTLSTests.sClient(port: port, ["-noservername"])
            #expect(anonymous.output.contains("subject=CN = a.example.com"))
        }
    }

    @Test func test_bracketOptions_applyToTheirCertificateOnly() async throws {
        try await withCertificateList { port, _ in
            // b: TLS 1.3 only, with one suite.
            let old = try ProxyTLSTests.sClient(port: port, ["-servername", "b.example.com", "-tls1_2"])
            #expect(old.status != 0, "ssl-min-ver TLSv1.3 on b's line refuses TLS 1.2: \(old.output)")
            let new = try ProxyTLSTests.sClient(port: port, ["-servername", "b.example.com", "-tls1_3"])
            #expect(new.status == 0 && new.output.contains("TLS_CHACHA20_POLY1305_SHA256"), "\(new.output)")
            // a keeps the bind's defaults: TLS 1.2 works, and its alpn is offered.
            let a = try ProxyTLSTests.sClient(port: port, ["-servername", "a.example.com", "-tls1_2", "-alpn", "h2,http/1.1"])
            #expect(a.status == 0 && a.output.contains("ALPN protocol: http/1.1"), "\(a.output)")
            let wild = try ProxyTLSTests.sClient(port: port, ["-servername", "www.example.net", "-alpn", "h2,http/1.1"])
            #expect(wild.output.contains("No ALPN negotiated"), "no alpn on the wildcard's line nor the bind: \(wild.output)")
        }
    }

    @Test func test_check_refusesAnUnsupportedBracketOptionAtTheListsLine() throws {
        let certificates = try TestCertificates()
        let bundle = try certificates.bundle("a.pem", commonName: "a", names: ["a.example.com"])
        let list = certificates.directory + "/bad.crtlist"
        try "\(bundle)\n\(bundle) [verify required] b.example.com\n".write(toFile: list, atomically: true, encoding: .utf8)
        let text = "frontend web\n    mode http\n    bind :443 ssl crt-list \(list)\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        #expect {
            _ = try ConfigurationLoader.parse(text: text, file: "t.conf")
        } throws: { error in
            let text = "\(error)"
            return text.contains("\(list):2") && text.contains("verify")
        }
    }

    @Test func test_check_reportsAnUnreadableCertificateOfTheListAtItsLine() throws {
        let certificates = try TestCertificates()
        let bundle = try certificates.bundle("a.pem", commonName: "a", names: ["a.example.com"])
        let list = certificates.directory + "/missing.crtlist"
        try "# first the good one\n\(bundle)\n/nonexistent/site.pem\n".write(toFile: list, atomically: true, encoding: .utf8)
        let text = "frontend web\n    mode http\n    bind :443 ssl crt-list \(list)\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect {
            try ProxyService.validate(configuration)
        } throws: { error in
            let text = "\(error)"
            return text.contains("crt-list \(list):3") && text.contains("/nonexistent/site.pem") && text.contains("No such file or directory")
        }
    }

    @Test func test_check_reportsAnUnreadableList() throws {
        let text = "frontend web\n    mode http\n    bind :443 ssl crt-list /nonexistent/site.crtlist\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        #expect {
            _ = try ConfigurationLoader.parse(text: text, file: "t.conf")
        } throws: { error in
            "\(error)".contains("t.conf:3") && "\(error)".contains("cannot read crt-list '/nonexistent/site.crtlist'")
        }
    }
}
