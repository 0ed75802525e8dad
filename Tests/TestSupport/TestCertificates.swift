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

    public static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
        }
    }
}
