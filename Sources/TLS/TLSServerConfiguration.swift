/// What a TLS listener serves: HAProxy's `bind ... ssl` options, with the `global`
/// `ssl-default-bind-*` values already applied as defaults by the caller.
public struct TLSServerConfiguration: Sendable, Hashable {
    /// `crt PATH`: one PEM bundle (certificate, its chain, its key) or a directory of them,
    /// loaded in name order; the first bundle loaded is the default certificate.
    public var certificatePath: String?
    /// `crt-list FILE`'s lines, served after `certificatePath`'s bundles.
    public var certificateList: [TLSCertificateListEntry]
    /// `verify none|optional|required`: whether client certificates are asked for and must be
    /// presented; a certificate presented is verified against `clientCAFile` either way.
    public var clientVerify: ClientVerify = .none
    /// `ca-file PATH`: the CAs client certificates must chain to.
    public var clientCAFile: String?
    /// `crl-file PATH`: CRLs (PEM) checked for every certificate of the client's chain.
    public var clientCRLFile: String?

    /// HAProxy's `verify` on a `bind`.
    public enum ClientVerify: String, Sendable, Hashable {
        case none, optional, required
    }
    /// `ssl-min-ver`: TLSv1.2 unless set.
    public var minimumVersion: TLSProtocolVersion
    /// `ssl-max-ver`: the newest OpenSSL offers unless set.
    public var maximumVersion: TLSProtocolVersion?
    /// `ciphers`: the TLS 1.2 cipher list, OpenSSL syntax; OpenSSL's default unless set.
    public var ciphers: String?
    /// `ciphersuites`: the TLS 1.3 suites, OpenSSL syntax; OpenSSL's default unless set.
    public var ciphersuites: String?
    /// `alpn`: protocols offered in server preference order (`http/1.1`); empty = no ALPN.
    public var alpn: [String]
    /// `strict-sni`: refuse a handshake whose server name no certificate covers (or that names none).
    public var strictSNI: Bool
    /// `no-tls-tickets`: no RFC 5077 session tickets.
    public var sessionTickets: Bool
    /// `tls-ticket-keys FILE`: ticket keys shared with the other node instead of random ones.
    public var ticketKeysFile: String?

    public init(certificatePath: String?, minimumVersion: TLSProtocolVersion = .tls1_2,
                maximumVersion: TLSProtocolVersion? = nil, ciphers: String? = nil, ciphersuites: String? = nil,
                alpn: [String] = [], strictSNI: Bool = false, sessionTickets: Bool = true, ticketKeysFile: String? = nil,
                certificateList: [TLSCertificateListEntry] = []) {
        self.certificateList = certificateList
        self.ticketKeysFile = ticketKeysFile
        self.certificatePath = certificatePath
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.ciphers = ciphers
        self.ciphersuites = ciphersuites
        self.alpn = alpn
        self.strictSNI = strictSNI
        self.sessionTickets = sessionTickets
    }
}

/// One line of a `crt-list`: a bundle, the names it is served for, and the bind settings it
/// overrides (nil = the bind's).
public struct TLSCertificateListEntry: Sendable, Hashable {
    public var path: String
    /// Where the line is (`crt-list FILE:LINE`), for errors.
    public var origin: String
    /// Names (`*.example.com` allowed) that select this bundle instead of its own names;
    /// `!name` removes a name the bundle would otherwise serve.
    public var sniFilters: [String]
    public var alpn: [String]?
    public var minimumVersion: TLSProtocolVersion?
    public var maximumVersion: TLSProtocolVersion?
    public var ciphers: String?
    public var ciphersuites: String?

    public init(path: String, origin: String, sniFilters: [String] = [], alpn: [String]? = nil,
                minimumVersion: TLSProtocolVersion? = nil, maximumVersion: TLSProtocolVersion? = nil,
                ciphers: String? = nil, ciphersuites: String? = nil) {
        self.path = path
        self.origin = origin
        self.sniFilters = sniFilters
        self.alpn = alpn
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.ciphers = ciphers
        self.ciphersuites = ciphersuites
    }
}
