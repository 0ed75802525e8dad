import Foundation

/// Certificates made for one test with Debian's `openssl` CLI, in a directory removed at the end.
/// Shared by the TLS module's and the proxy's tests (a target of its own, linked only by tests).
public final class TestCertificates {
    public let directory: String

    public init() throws {
        directory = NSTemporaryDirectory() + "tls-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A self-signed P-256 certificate for `commonName` with DNS `names`, written with its key as
    /// one PEM bundle at `directory/relativePath`; returns the bundle's path.
    @discardableResult
    public func bundle(_ relativePath: String, commonName: String, names: [String], days: Int = 30) throws -> String {
        let path = directory + "/" + relativePath
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let certificate = path + ".crt.tmp"
        let key = path + ".key.tmp"
        var arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-subj", "/CN=\(commonName)", "-days", String(days), "-keyout", key, "-out", certificate]
        if !names.isEmpty { arguments += ["-addext", "subjectAltName=" + names.map { "DNS:\($0)" }.joined(separator: ",")] }
        try Self.openssl(arguments)
        let text = try String(contentsOfFile: certificate, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: certificate)
        try FileManager.default.removeItem(atPath: key)
        return path
    }

    /// A bundle whose key belongs to another certificate.
    public func mismatchedBundle(_ relativePath: String) throws -> String {
        let first = try bundle("mismatch-a", commonName: "a", names: ["a"])
        let second = try bundle("mismatch-b", commonName: "b", names: ["b"])
        let certificate = try String(contentsOfFile: first, encoding: .utf8).components(separatedBy: "-----BEGIN PRIVATE KEY-----")[0]
        let key = "-----BEGIN PRIVATE KEY-----" + (try String(contentsOfFile: second, encoding: .utf8).components(separatedBy: "-----BEGIN PRIVATE KEY-----")[1])
        let path = directory + "/" + relativePath
        try (certificate + key).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: first)
        try FileManager.default.removeItem(atPath: second)
        return path
    }

    /// A certificate authority `directory/NAME.crt` (key `NAME.key`) for client certificates and
    /// CRLs; returns the certificate's path.
    @discardableResult
    public func certificateAuthority(_ name: String, commonName: String) throws -> String {
        let base = directory + "/" + name
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(commonName)",
                          "-days", "30", "-keyout", base + ".key", "-out", base + ".crt",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try "".write(toFile: base + ".index", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: base + ".crlnumber", atomically: true, encoding: .utf8)
        try """
        [ca]
        default_ca = ca_section
        [ca_section]
        database = \(base).index
        crlnumber = \(base).crlnumber
        certificate = \(base).crt
        private_key = \(base).key
        default_md = sha256
        default_crl_days = 30
        """.write(toFile: base + ".cnf", atomically: true, encoding: .utf8)
        return base + ".crt"
    }

    /// A client certificate for `subject` (`/O=Example/CN=alice`) signed by the authority `ca`:
    /// certificate and key in one PEM file `directory/NAME.pem`; returns its path.
    @discardableResult
    public func clientCertificate(_ name: String, subject: String, signedBy ca: String) throws -> String {
        let base = directory + "/" + name
        let authority = directory + "/" + ca
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
                          "-keyout", base + ".key", "-out", base + ".csr"])
        try Self.openssl(["x509", "-req", "-in", base + ".csr", "-CA", authority + ".crt", "-CAkey", authority + ".key",
                          "-set_serial", String(Int.random(in: 1000...999_999)), "-days", "30", "-out", base + ".crt"])
        let text = try String(contentsOfFile: base + ".crt", encoding: .utf8) + String(contentsOfFile: base + ".key", encoding: .utf8)
        try text.write(toFile: base + ".pem", atomically: true, encoding: .utf8)
        return base + ".pem"
    }

    /// Revokes the client certificate `NAME` in the authority `ca`'s database and writes the
    /// authority's CRL to `directory/CA.crl`; returns the CRL's path.
    @discardableResult
    public func revoke(_ name: String, by ca: String) throws -> String {
        let authority = directory + "/" + ca
        try Self.openssl(["ca", "-config", authority + ".cnf", "-revoke", directory + "/" + name + ".crt"])
        try Self.openssl(["ca", "-config", authority + ".cnf", "-gencrl", "-out", authority + ".crl"])
        return authority + ".crl"
    }

    /// Runs Debian's `openssl` with `arguments`; throws, with what it wrote, when it fails.
    public static func openssl(_ arguments: [String]) throws {
        try ChildProcess.run("/usr/bin/openssl", arguments).successfulOutput()
    }
}
