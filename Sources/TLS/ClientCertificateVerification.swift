#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CTLS

/// `bind ... verify optional|required ca-file PATH [crl-file PATH]` (mTLS): the server asks
/// for a client certificate, names the CAs it trusts, and verifies what the client presents
/// against them (and against the CRLs, for every certificate of the chain). A certificate that
/// fails verification fails the handshake with either mode, as HAProxy does without
/// `crt-ignore-err`; `required` also fails a client that presents none.
enum ClientCertificateVerification {
    static func configure(_ context: OpaquePointer, verify: TLSServerConfiguration.ClientVerify,
                          caFile: String?, crlFile: String?) throws(TLSConfigurationError) {
        guard let caFile else { throw TLSConfigurationError(path: nil, "verify \(verify.rawValue) needs ca-file") }
        try readable(caFile, what: "ca-file")
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
            let reason = OpenSSLErrorQueue.drainedText(default: "no certificate")
            throw TLSConfigurationError(path: caFile, "no usable CA certificate in ca-file '\(caFile)' (\(reason))")
        }
        if let names = SSL_load_client_CA_file(caFile) { SSL_CTX_set_client_CA_list(context, names) }
        OpenSSLErrorQueue.clear()
        if let crlFile {
            try readable(crlFile, what: "crl-file")
            guard let store = SSL_CTX_get_cert_store(context), let lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file()),
                  X509_load_crl_file(lookup, crlFile, X509_FILETYPE_PEM) > 0 else {
                let reason = OpenSSLErrorQueue.drainedText(default: "no CRL")
                throw TLSConfigurationError(path: crlFile, "no usable CRL in crl-file '\(crlFile)' (\(reason)): expected PEM 'X509 CRL' blocks")
            }
            _ = X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        let mode = verify == .required ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER
        SSL_CTX_set_verify(context, mode, nil)
    }

    private static func readable(_ path: String, what: String) throws(TLSConfigurationError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TLSConfigurationError(path: path, "cannot read \(what) '\(path)': \(String(cString: strerror(errno)))") }
        close(fd)
    }

    /// The client certificate's facts for `ssl_c_*`: whether one was presented, OpenSSL's
    /// verification result, and its subject and issuer in HAProxy's `/C=../CN=..` form.
    static func facts(_ ssl: OpaquePointer) -> (used: Bool, verify: Int, subject: String?, issuer: String?) {
        let verify = Int(SSL_get_verify_result(ssl))
        guard let certificate = SSL_get0_peer_certificate(ssl) else { return (false, verify, nil, nil) }
        return (true, verify, oneLine(X509_get_subject_name(certificate)), oneLine(X509_get_issuer_name(certificate)))
    }

    private static func oneLine(_ name: OpaquePointer?) -> String? {
        guard let name else { return nil }
        var buffer = [CChar](repeating: 0, count: 1024)
        guard X509_NAME_oneline(name, &buffer, Int32(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
