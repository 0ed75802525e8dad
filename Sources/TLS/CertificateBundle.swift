#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CTLS

/// One PEM bundle of a `crt` path: the certificate, its chain, its private key; what SNI
/// matches it by, and until when it is valid.
public struct CertificateBundle: Sendable, Hashable {
    /// The file it was read from.
    public var path: String
    /// DNS names of subjectAltName, then the subject CN when it is not among them, lowercased;
    /// wildcards keep their `*.` (`*.example.com`).
    public var names: [String]
    /// notAfter, in seconds since the epoch (UTC).
    public var notAfter: Int64
    /// notAfter as OpenSSL prints it in UTC, `2026-01-27 10:00:00 UTC`.
    public var notAfterText: String

    /// Whether the certificate has expired at `now` (seconds since the epoch).
    public func isExpired(at now: Int64) -> Bool { now > notAfter }

    /// Whether this bundle covers `serverName` (already lowercased): an exact name, or a
    /// wildcard `*.example.com` for exactly one more label (`www.example.com`, not `example.com`
    /// nor `a.b.example.com`), as RFC 6125 §6.4.3 matches them.
    public func covers(_ serverName: String) -> Bool {
        names.contains { Self.name($0, covers: serverName) }
    }

    static func name(_ pattern: String, covers serverName: String) -> Bool {
        if pattern == serverName { return true }
        guard pattern.hasPrefix("*."), let dot = serverName.firstIndex(of: ".") else { return false }
        let label = serverName[..<dot]
        return !label.isEmpty && serverName[serverName.index(after: dot)...] == pattern.dropFirst(2)
    }
}

/// Reads `crt` paths into configured `SSL_CTX`s, one per bundle.
enum CertificateLoader {
    /// Extra files HAProxy keeps next to bundles (`ssl-load-extra-files`); not bundles themselves.
    static let companionExtensions = [".key", ".ocsp", ".issuer", ".sctl"]

    /// The bundle files of `path`: the file itself, or a directory's files in name order
    /// (hidden files and companion files skipped).
    static func bundlePaths(_ path: String) throws(TLSConfigurationError) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TLSConfigurationError(path: path, "cannot read certificate '\(path)': \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        guard let directory = opendir(path) else {
            throw TLSConfigurationError(path: path, "cannot read certificate directory '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") || companionExtensions.contains(where: { name.hasSuffix($0) }) { continue }
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            var fileInfo = stat()
            if stat(full, &fileInfo) == 0, (fileInfo.st_mode & S_IFMT) == S_IFREG { names.append(full) }
        }
        guard !names.isEmpty else {
            throw TLSConfigurationError(path: path, "certificate directory '\(path)' holds no certificate bundle")
        }
        return names.sorted()
    }

    /// Loads one bundle into `context`: certificate, chain, key; checks that the key matches.
    static func load(_ path: String, into context: OpaquePointer) throws(TLSConfigurationError) -> CertificateBundle {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw TLSConfigurationError(path: path, "cannot read certificate '\(path)': \(String(cString: strerror(errno)))")
        }
        close(fd)
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_certificate_chain_file(context, path) == 1 else {
            let reason = OpenSSLErrorQueue.drainedText(default: "no certificate")
            throw TLSConfigurationError(path: path, "no usable certificate in '\(path)' (\(reason)): expected a PEM bundle of certificate, chain and private key")
        }
        guard let file = BIO_new_file(path, "r") else {
            let reason = OpenSSLErrorQueue.drainedText(default: "cannot open")
            throw TLSConfigurationError(path: path, "cannot read certificate '\(path)': \(reason)")
        }
        defer { BIO_free(file) }
        guard let key = PEM_read_bio_PrivateKey(file, nil, nil, nil) else {
            OpenSSLErrorQueue.clear()
            throw TLSConfigurationError(path: path, "no private key in '\(path)': expected the key in the same PEM bundle as the certificate")
        }
        defer { EVP_PKEY_free(key) }
        guard let certificate = SSL_CTX_get0_certificate(context) else {
            throw TLSConfigurationError(path: path, "no usable certificate in '\(path)'")
        }
        guard X509_check_private_key(certificate, key) == 1 else {
            OpenSSLErrorQueue.clear()
            throw TLSConfigurationError(path: path, "the private key in '\(path)' does not match its certificate")
        }
        guard SSL_CTX_use_PrivateKey(context, key) == 1 else {
            let reason = OpenSSLErrorQueue.drainedText(default: "rejected")
            throw TLSConfigurationError(path: path, "the private key in '\(path)' cannot be used (\(reason))")
        }
        let (notAfter, notAfterText) = Self.notAfter(certificate)
        return CertificateBundle(path: path, names: Self.names(certificate), notAfter: notAfter, notAfterText: notAfterText)
    }

    /// subjectAltName DNS entries, then the subject's CN if it is not one of them.
    static func names(_ certificate: OpaquePointer) -> [String] {
        var names: [String] = []
        if let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) {
            let generalNames = OpaquePointer(raw)
            defer { ctls_GENERAL_NAMES_free(generalNames) }
            for index in 0..<ctls_GENERAL_NAMES_count(generalNames) {
                guard let entry = ctls_GENERAL_NAMES_value(generalNames, index), entry.pointee.type == GEN_DNS,
                      let text = string(entry.pointee.d.dNSName.map { UnsafePointer($0) }) else { continue }
                names.append(text.lowercased())
            }
        }
        if let subject = X509_get_subject_name(certificate) {
            let index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)
            if index >= 0, let entry = X509_NAME_get_entry(subject, index),
               let text = string(X509_NAME_ENTRY_get_data(entry).map { UnsafePointer($0) }), !names.contains(text.lowercased()) {
                names.append(text.lowercased())
            }
        }
        return names
    }

    private static func string(_ asn1: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let asn1, let bytes = ASN1_STRING_get0_data(asn1) else { return nil }
        let length = Int(ASN1_STRING_length(asn1))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    private static func notAfter(_ certificate: OpaquePointer) -> (Int64, String) {
        var parts = tm()
        guard let time = X509_get0_notAfter(certificate), ASN1_TIME_to_tm(time, &parts) == 1 else { return (Int64.max, "unknown") }
        let seconds = Int64(timegm(&parts))
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) UTC"
        return (seconds, text)
    }
}

/// A server name the default certificate of a `crt` path covers, for a client of our own (the
/// liveness probe) that must pass `strict-sni`: its first exact name, or a name under its first
/// wildcard. Nil when the path holds no readable certificate.
public enum ProbeServerName {
    public static func firstCovered(certificatePath: String) -> String? {
        guard let path = try? CertificateLoader.bundlePaths(certificatePath).first,
              let file = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(file) }
        guard let certificate = PEM_read_bio_X509(file, nil, nil, nil) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        defer { X509_free(certificate) }
        let names = CertificateLoader.names(certificate)
        if let exact = names.first(where: { !$0.hasPrefix("*") }) { return exact }
        return names.first.map { "hactl-probe" + $0.dropFirst() }
    }
}
