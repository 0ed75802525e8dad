public import HACore

/// One line of a `bind ... crt-list FILE` (HAProxy's format): a certificate bundle, the
/// per-certificate TLS settings written in brackets, and the SNI filters that select it.
public struct CertificateListEntry: Sendable, Equatable, Hashable {
    /// The PEM bundle (certificate, chain, key), resolved against `crt-base` when relative.
    public var path: String
    /// `[alpn LIST]`.
    public var alpn: [String]?
    /// `[ssl-min-ver V]`, `[ssl-max-ver V]` (HAProxy's spelling, `TLSv1.2`).
    public var sslMinVer: String?
    public var sslMaxVer: String?
    /// `[ciphers LIST]`, `[ciphersuites LIST]`.
    public var ciphers: String?
    public var ciphersuites: String?
    /// SNI filters: names (`www.example.com`, `*.example.com`) this certificate is served for
    /// instead of the names it carries; `!name` excludes a name its own names would cover.
    public var sniFilters: [String]
    /// The crt-list file and line.
    public var location: SourceLocation

    public init(path: String, alpn: [String]? = nil, sslMinVer: String? = nil, sslMaxVer: String? = nil, ciphers: String? = nil,
                ciphersuites: String? = nil, sniFilters: [String] = [], location: SourceLocation = .builtIn) {
        self.path = path
        self.alpn = alpn
        self.sslMinVer = sslMinVer
        self.sslMaxVer = sslMaxVer
        self.ciphers = ciphers
        self.ciphersuites = ciphersuites
        self.sniFilters = sniFilters
        self.location = location
    }
}
