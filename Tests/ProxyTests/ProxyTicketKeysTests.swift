import Foundation
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Proxy

/// `bind ... ssl tls-ticket-keys FILE`: two proxies (the two nodes of a pair) sharing one key
/// file; a session ticket one of them issued resumes on the other (`openssl s_client
/// -sess_out` / `-sess_in` reports "Reused").
@Suite(.serialized) struct ProxyTicketKeysTests {
    static func plan(_ certificates: TestCertificates, bindOptions: String) throws -> ProxyPlan {
        let text = """
        global
            nbthread 1
        defaults
            mode http
            timeout connect 1s
            timeout client 2s
            timeout server 2s
        frontend web
            bind 127.0.0.1:1 ssl crt \(certificates.directory)/site.pem \(bindOptions)
            default_backend app
        backend app
            server s1 127.0.0.1:9

        """
        var plan = try ProxyPlan(configuration: ConfigurationLoader.parse(text: text, file: "t.conf"))
        plan.frontends[0].binds[0].port = 0
        return plan
    }

    /// Three random 80-byte keys, base64, one per line (`openssl rand 80 | openssl base64 -A`).
    static func keyFile(_ certificates: TestCertificates, name: String = "tickets.keys") throws -> String {
        let path = certificates.directory + "/" + name
        let lines = (0..<3).map { _ in Data((0..<80).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Gets a ticket from node A, then offers it to node B.
    func resumeAcross(version: String, optionsA: String, optionsB: String, _ certificates: TestCertificates) async throws -> String {
        let session = certificates.directory + "/session.pem"
        var output = ""
        try await ProxyHarness.withProxy(try Self.plan(certificates, bindOptions: optionsA)) { a, _ in
            let portA = try #require(a.boundAddresses().first?.port)
            // A request answered (and the connection closed by the proxy) before s_client exits:
            // a TLS 1.3 ticket arrives after the handshake, and is lost if the client leaves first.
            let first = try ProxyTLSTests.sClient(port: portA, [version, "-servername", "site.example.com", "-sess_out", session],
                                                  input: "GET / HTTP/1.1\r\nHost: site.example.com\r\nConnection: close\r\n\r\n")
            #expect(first.output.contains("New,"), "\(first.output)")
            try await ProxyHarness.withProxy(try Self.plan(certificates, bindOptions: optionsB)) { b, _ in
                let portB = try #require(b.boundAddresses().first?.port)
                output = try ProxyTLSTests.sClient(port: portB, [version, "-servername", "site.example.com", "-sess_in", session]).output
            }
        }
        return output
    }

    @Test(arguments: ["-tls1_2", "-tls1_3"])
    func test_sharedTicketKeys_aSessionFromOneNodeIsReusedOnTheOther(version: String) async throws {
        let certificates = try TestCertificates()
        try certificates.bundle("site.pem", commonName: "site.example.com", names: ["site.example.com"])
        let keys = try Self.keyFile(certificates)
        let output = try await resumeAcross(version: version, optionsA: "tls-ticket-keys \(keys)", optionsB: "tls-ticket-keys \(keys)", certificates)
        #expect(output.contains("Reused,"), "\(output)")
    }

    @Test func test_differentTicketKeys_theOtherNodeStartsANewSession() async throws {
        let certificates = try TestCertificates()
        try certificates.bundle("site.pem", commonName: "site.example.com", names: ["site.example.com"])
        let first = try Self.keyFile(certificates, name: "a.keys")
        let second = try Self.keyFile(certificates, name: "b.keys")
        let output = try await resumeAcross(version: "-tls1_2", optionsA: "tls-ticket-keys \(first)", optionsB: "tls-ticket-keys \(second)", certificates)
        #expect(output.contains("New,"), "\(output)")
    }

    @Test func test_aKeyOfTheWrongLength_isRefusedNamingTheLine() throws {
        let certificates = try TestCertificates()
        try certificates.bundle("site.pem", commonName: "site.example.com", names: ["site.example.com"])
        let path = certificates.directory + "/bad.keys"
        let good = Data(repeating: 1, count: 48).base64EncodedString()
        try "\(good)\n\(good)\n\(Data(repeating: 2, count: 32).base64EncodedString())\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try Self.plan(certificates, bindOptions: "tls-ticket-keys \(path)")
        } throws: { error in
            "\(error)".contains("tls-ticket-keys '\(path)' line 3: expected a base64 key of 48 or 80 bytes")
        }
    }

    @Test func test_fewerThanThreeKeys_isRefused() throws {
        let certificates = try TestCertificates()
        try certificates.bundle("site.pem", commonName: "site.example.com", names: ["site.example.com"])
        let path = certificates.directory + "/short.keys"
        try (Data(repeating: 1, count: 80).base64EncodedString() + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ProxyError.self) { _ = try Self.plan(certificates, bindOptions: "tls-ticket-keys \(path)") }
    }
}
