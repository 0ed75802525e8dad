import Testing
import TestSupport
@testable import TLS

@Suite struct TLSServerContextTests {
    @Test func test_directory_loadsBundlesInNameOrder_firstIsDefault() throws {
        let certificates = try TestCertificates()
        try certificates.bundle("certs/20-b.pem", commonName: "b.example.com", names: ["b.example.com"])
        try certificates.bundle("certs/10-a.pem", commonName: "a.example.com", names: ["a.example.com"])
        try certificates.bundle("certs/30-c.pem", commonName: "c.example.com", names: ["c.example.com"])
        let context = try TLSServerContext(configuration: .init(certificatePath: certificates.directory + "/certs"))
        #expect(context.certificates.map(\.names) == [["a.example.com"], ["b.example.com"], ["c.example.com"]])
        #expect(context.certificateIndex(forServerName: "C.Example.com") == 2)
        #expect(context.certificateIndex(forServerName: "d.example.com") == nil)
    }

    @Test func test_wildcard_coversExactlyOneLabel() throws {
        let certificates = try TestCertificates()
        try certificates.bundle("certs/1.pem", commonName: "default.test", names: ["default.test"])
        try certificates.bundle("certs/2.pem", commonName: "wild", names: ["*.example.net"])
        let context = try TLSServerContext(configuration: .init(certificatePath: certificates.directory + "/certs"))
        #expect(context.certificateIndex(forServerName: "www.example.net") == 1)
        #expect(context.certificateIndex(forServerName: "example.net") == nil)
        #expect(context.certificateIndex(forServerName: "a.b.example.net") == nil)
    }

    @Test func test_exactName_winsOverWildcard() throws {
        let certificates = try TestCertificates()
        try certificates.bundle("certs/1.pem", commonName: "wild", names: ["*.example.org"])
        try certificates.bundle("certs/2.pem", commonName: "api.example.org", names: ["api.example.org"])
        let context = try TLSServerContext(configuration: .init(certificatePath: certificates.directory + "/certs"))
        #expect(context.certificateIndex(forServerName: "api.example.org") == 1)
        #expect(context.certificateIndex(forServerName: "www.example.org") == 0)
    }

    @Test func test_commonName_isAServerNameToo() throws {
        let certificates = try TestCertificates()
        let path = try certificates.bundle("one.pem", commonName: "cn-only.example.com", names: [])
        let context = try TLSServerContext(configuration: .init(certificatePath: path))
        #expect(context.certificates[0].names == ["cn-only.example.com"])
    }

    @Test func test_unreadableFile_isAnErrorNamingIt() throws {
        let missing = "/nonexistent/hactl/site.pem"
        #expect {
            try TLSServerContext(configuration: .init(certificatePath: missing))
        } throws: { error in
            let error = error as! TLSConfigurationError
            return error.path == missing && error.message.contains("No such file or directory")
        }
    }

    @Test func test_keyNotMatchingCertificate_isAnErrorNamingTheFile() throws {
        let certificates = try TestCertificates()
        let path = try certificates.mismatchedBundle("bad.pem")
        #expect {
            try TLSServerContext(configuration: .init(certificatePath: path))
        } throws: { error in
            let error = error as! TLSConfigurationError
            return error.path == path && error.message.contains("does not match its certificate")
        }
    }

    @Test func test_bundleWithoutKey_isAnError() throws {
        let certificates = try TestCertificates()
        let path = try certificates.bundle("full.pem", commonName: "x", names: ["x"])
        let certificateOnly = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "-----BEGIN PRIVATE KEY-----")[0]
        try certificateOnly.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try TLSServerContext(configuration: .init(certificatePath: path))
        } throws: { ($0 as! TLSConfigurationError).message.contains("no private key") }
    }

    @Test func test_directoryWithoutBundles_isAnError() throws {
        let certificates = try TestCertificates()
        try "not a certificate".write(toFile: certificates.directory + "/.hidden", atomically: true, encoding: .utf8)
        #expect {
            try TLSServerContext(configuration: .init(certificatePath: certificates.directory))
        } throws: { ($0 as! TLSConfigurationError).message.contains("holds no certificate bundle") }
    }

    @Test func test_unknownCiphers_andInvertedVersions_areErrors() throws {
        let certificates = try TestCertificates()
        let path = try certificates.bundle("one.pem", commonName: "x", names: ["x"])
        #expect(throws: TLSConfigurationError.self) { try TLSServerContext(configuration: .init(certificatePath: path, ciphers: "NOPE-NOTHING")) }
        #expect(throws: TLSConfigurationError.self) {
            try TLSServerContext(configuration: .init(certificatePath: path, minimumVersion: .tls1_3, maximumVersion: .tls1_2))
        }
    }

    @Test func test_expiry_isReadFromTheCertificate_andJudgedAtTheGivenTime() throws {
        let certificates = try TestCertificates()
        let path = try certificates.bundle("one.pem", commonName: "x", names: ["x"], days: 2)
        let context = try TLSServerContext(configuration: .init(certificatePath: path))
        let bundle = context.certificates[0]
        #expect(bundle.notAfterText.hasSuffix(" UTC"))
        #expect(context.expiredCertificates(at: bundle.notAfter - 1).isEmpty)
        #expect(context.expiredCertificates(at: bundle.notAfter + 1).map(\.path) == [path])
    }
}
