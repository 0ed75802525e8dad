/// What a finished handshake agreed on: HAProxy's `ssl_fc_protocol`, `ssl_fc_sni`,
/// `ssl_fc_alpn`, `ssl_fc_cipher`.
public struct TLSConnectionInfo: Sendable, Hashable {
    /// `TLSv1.2`, `TLSv1.3` (OpenSSL's `SSL_get_version`, the spelling HAProxy logs).
    public var protocolVersion: String
    /// The SNI the client sent, as sent; nil without SNI.
    public var serverName: String?
    /// The ALPN protocol agreed (`http/1.1`); nil when none was.
    public var alpn: String?
    /// The cipher (OpenSSL's name, `TLS_AES_256_GCM_SHA384`).
    public var cipher: String
    /// The certificate bundle served (index into `TLSServerContext.certificates`).
    public var certificateIndex: Int
    /// Whether the handshake resumed an earlier session (HAProxy's `ssl_fc_is_resumed`).
    public var sessionReused: Bool
    /// `ssl_c_used`: the client presented a certificate (server side).
    public var clientCertificateUsed = false
    /// `ssl_c_verify`: OpenSSL's verification result for it (0 = X509_V_OK).
    public var clientVerifyResult = 0
    /// `ssl_c_s_dn`, `ssl_c_i_dn`: its subject and issuer, `/C=FR/O=Example/CN=client`.
    public var clientSubjectDN: String?
    public var clientIssuerDN: String?

    public init(protocolVersion: String, serverName: String?, alpn: String?, cipher: String, certificateIndex: Int,
                sessionReused: Bool = false) {
        self.sessionReused = sessionReused
        self.protocolVersion = protocolVersion
        self.serverName = serverName
        self.alpn = alpn
        self.cipher = cipher
        self.certificateIndex = certificateIndex
    }
}

/// The user inbound event a `TLSServerHandler` fires once its handshake completes, just before
/// it forwards `channelActive`: handlers after it learn the session's facts before any data.
public struct TLSHandshakeCompleted: Sendable, Hashable {
    public var info: TLSConnectionInfo

    public init(info: TLSConnectionInfo) { self.info = info }
}
