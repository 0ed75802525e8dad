#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CTLS

/// How to speak TLS to a server: HAProxy's `server ... ssl [verify none|required] [ca-file PATH]
/// [alpn LIST] [ssl-min-ver V] [ssl-max-ver V]`.
public struct TLSClientConfiguration: Sendable, Hashable {
    /// `verify required`: the server's chain must lead to `caFile` and name the server.
    public var verify: Bool
    /// `ca-file PATH`: trusted CAs, PEM; the system store when nil.
    public var caFile: String?
    public var minimumVersion: TLSProtocolVersion
    public var maximumVersion: TLSProtocolVersion?
    public var alpn: [String]
    /// `ciphers`: the TLS 1.2 cipher list, OpenSSL syntax.
    public var ciphers: String?
    /// `crt PATH`: a client certificate, its chain and its key in one PEM file, presented when
    /// the server asks for one.
    public var certificateFile: String?
    /// `ciphersuites`: the TLS 1.3 suites, OpenSSL syntax.
    public var ciphersuites: String?
    /// `crl-file PATH`: CRLs the server's chain is checked against (with `verify required`).
    public var crlFile: String?

    public init(verify: Bool = true, caFile: String? = nil, minimumVersion: TLSProtocolVersion = .tls1_2,
                maximumVersion: TLSProtocolVersion? = nil, alpn: [String] = [], ciphers: String? = nil,
                certificateFile: String? = nil) {
        self.ciphers = ciphers
        self.certificateFile = certificateFile
        self.verify = verify
        self.caFile = caFile
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.alpn = alpn
    }
}

/// The client side `SSL_CTX` of one `server ... ssl` line, shared by its connections.
public final class TLSClientContext: @unchecked Sendable {
    public let configuration: TLSClientConfiguration
    private let context: OpaquePointer

    public init(configuration: TLSClientConfiguration) throws(TLSConfigurationError) {
        self.configuration = configuration
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSConfigurationError(path: nil, "OpenSSL cannot create a TLS context: \(OpenSSLErrorQueue.drainedText(default: "out of memory"))")
        }
        func failure(_ path: String?, _ message: String) -> TLSConfigurationError {
            SSL_CTX_free(context)
            return TLSConfigurationError(path: path, message)
        }
        SSL_CTX_set_options(context, ctls_SSL_OP_NO_RENEGOTIATION | ctls_SSL_OP_NO_COMPRESSION)
        if ctls_SSL_CTX_set_min_proto_version(context, configuration.minimumVersion.openSSLValue) != 1 {
            throw failure(nil, "ssl-min-ver \(configuration.minimumVersion.rawValue) is not available in this OpenSSL")
        }
        if let maximum = configuration.maximumVersion, ctls_SSL_CTX_set_max_proto_version(context, maximum.openSSLValue) != 1 {
            throw failure(nil, "ssl-max-ver \(maximum.rawValue) is not available in this OpenSSL")
        }
        if let ciphers = configuration.ciphers, SSL_CTX_set_cipher_list(context, ciphers) != 1 {
            OpenSSLErrorQueue.clear()
            throw failure(nil, "ciphers '\(ciphers)': OpenSSL knows none of these ciphers")
        }
        if let suites = configuration.ciphersuites, SSL_CTX_set_ciphersuites(context, suites) != 1 {
            OpenSSLErrorQueue.clear()
            throw failure(nil, "ciphersuites '\(suites)': OpenSSL knows none of these TLS 1.3 suites")
        }
        if let crlFile = configuration.crlFile {
            let fd = open(crlFile, O_RDONLY)
            guard fd >= 0 else { throw failure(crlFile, "cannot read crl-file '\(crlFile)': \(String(cString: strerror(errno)))") }
            close(fd)
            OpenSSLErrorQueue.clear()
            guard let store = SSL_CTX_get_cert_store(context), let lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file()),
                  X509_load_crl_file(lookup, crlFile, X509_FILETYPE_PEM) > 0 else {
                let reason = OpenSSLErrorQueue.drainedText(default: "no CRL")
                throw failure(crlFile, "no usable CRL in crl-file '\(crlFile)' (\(reason)): expected PEM 'X509 CRL' blocks")
            }
            _ = X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        if configuration.verify {
            if let caFile = configuration.caFile {
                let fd = open(caFile, O_RDONLY)
                guard fd >= 0 else { throw failure(caFile, "cannot read ca-file '\(caFile)': \(String(cString: strerror(errno)))") }
                close(fd)
                OpenSSLErrorQueue.clear()
                if SSL_CTX_load_verify_locations(context, caFile, nil) != 1 {
                    let reason = OpenSSLErrorQueue.drainedText(default: "no certificate")
                    throw failure(caFile, "no usable CA certificate in ca-file '\(caFile)' (\(reason))")
                }
            } else if SSL_CTX_set_default_verify_paths(context) != 1 {
                OpenSSLErrorQueue.clear()
                throw failure(nil, "verify required without ca-file: OpenSSL's default CA store cannot be loaded")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        if let file = configuration.certificateFile {
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_use_certificate_chain_file(context, file) == 1,
                  SSL_CTX_use_PrivateKey_file(context, file, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(context) == 1 else {
                let reason = OpenSSLErrorQueue.drainedText(default: "no certificate and key")
                throw failure(file, "crt '\(file)': not a usable client certificate with its key (\(reason))")
            }
        }
        if !configuration.alpn.isEmpty {
            var wire: [UInt8] = []
            for name in configuration.alpn {
                let bytes = Array(name.utf8)
                guard (1...255).contains(bytes.count) else { throw failure(nil, "alpn: protocol name '\(name)' must be 1 to 255 bytes") }
                wire.append(UInt8(bytes.count))
                wire += bytes
            }
            if SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) != 0 {
                throw failure(nil, "alpn: OpenSSL refused the protocol list")
            }
        }
        self.context = context
    }

    deinit { SSL_CTX_free(context) }

    func makeSSL() -> OpaquePointer? { SSL_new(context) }
}

/// Whether a name is an IPv4 or IPv6 literal (verified as an IP SAN, not a DNS name).
enum IPAddressSyntax {
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
