import CTLS

/// The TLS side of one `bind ... ssl` line: an OpenSSL `SSL_CTX` per certificate bundle, all
/// configured alike, and the SNI choice among them.
///
/// Built once (at configuration load) and shared by every connection and event loop of the
/// listener: OpenSSL allows `SSL_new` from any thread on a context that is no longer changed.
/// A connection starts on the default (first) certificate; the server-name callback moves it
/// to the bundle that covers the client's SNI (exact names first, then wildcards).
public final class TLSServerContext: @unchecked Sendable {
    public let configuration: TLSServerConfiguration
    /// The bundles in load order; the first is the default certificate.
    public let certificates: [CertificateBundle]
    /// `SSL_CTX` per bundle, same order; never changed after `init`.
    private let contexts: [OpaquePointer]
    private let exactNames: [String: Int]
    /// `*.example.com` keyed by `example.com`.
    private let wildcardNames: [String: Int]
    /// The ALPN list in wire format (length-prefixed names), as `SSL_select_next_proto` reads it.
    private let alpnWire: UnsafeMutableBufferPointer<UInt8>
    /// `tls-ticket-keys`: read by the ticket callback of every context.
    private let ticketKeys: TicketKeyStore?

    /// Loads `configuration.certificatePath` and applies every setting; each failure names its
    /// file or setting.
    public init(configuration: TLSServerConfiguration) throws(TLSConfigurationError) {
        self.configuration = configuration
        if let maximum = configuration.maximumVersion, maximum < configuration.minimumVersion {
            throw TLSConfigurationError(path: nil, "ssl-max-ver \(maximum.rawValue) is older than ssl-min-ver \(configuration.minimumVersion.rawValue)")
        }
        var wire: [UInt8] = []
        for name in configuration.alpn {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSConfigurationError(path: nil, "alpn: protocol name '\(name)' must be 1 to 255 bytes")
            }
            wire.append(UInt8(bytes.count))
            wire += bytes
        }
        let ticketKeys = try configuration.ticketKeysFile.map { path throws(TLSConfigurationError) in
            TicketKeyStore(try TLSTicketKeys(contentsOf: path))
        }
        self.ticketKeys = ticketKeys
        alpnWire = .allocate(capacity: wire.count + 1)
        _ = alpnWire.initialize(from: wire + [0])
        var contexts: [OpaquePointer] = []
        var certificates: [CertificateBundle] = []
        do {
            for path in try CertificateLoader.bundlePaths(configuration.certificatePath) {
                let context = try Self.makeContext(configuration)
                contexts.append(context)
                certificates.append(try CertificateLoader.load(path, into: context))
            }
        } catch {
            for context in contexts { SSL_CTX_free(context) }
            alpnWire.deallocate()
            throw error
        }
        var exact: [String: Int] = [:]
        var wildcard: [String: Int] = [:]
        for (index, bundle) in certificates.enumerated() {
            for name in bundle.names {
                if name.hasPrefix("*.") {
                    if wildcard[String(name.dropFirst(2))] == nil { wildcard[String(name.dropFirst(2))] = index }
                } else if exact[name] == nil {
                    exact[name] = index
                }
            }
        }
        self.contexts = contexts
        self.certificates = certificates
        self.exactNames = exact
        self.wildcardNames = wildcard
        let unmanaged = Unmanaged.passUnretained(self).toOpaque()
        for context in contexts {
            ctls_SSL_CTX_set_tlsext_servername_callback(context, serverNameCallback)
            ctls_SSL_CTX_set_tlsext_servername_arg(context, unmanaged)
            if !configuration.alpn.isEmpty {
                SSL_CTX_set_alpn_select_cb(context, alpnCallback, unmanaged)
            }
            if let ticketKeys, configuration.sessionTickets {
                _ = ctls_SSL_CTX_set_app_data(context, Unmanaged.passUnretained(ticketKeys).toOpaque())
                _ = SSL_CTX_set_tlsext_ticket_key_evp_cb(context, ticketKeyCallback)
            }
        }
    }

    deinit {
        for context in contexts { SSL_CTX_free(context) }
        alpnWire.deallocate()
    }

    /// The bundle that serves `serverName`: an exact name first, then a wildcard one label up;
    /// nil when none covers it.
    public func certificateIndex(forServerName serverName: String) -> Int? {
        let name = serverName.lowercased()
        if let index = exactNames[name] { return index }
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex else { return nil }
        return wildcardNames[String(name[name.index(after: dot)...])]
    }

    /// Bundles whose certificate has expired at `now` (seconds since the epoch).
    public func expiredCertificates(at now: Int64) -> [CertificateBundle] {
        certificates.filter { $0.isExpired(at: now) }
    }

    /// A new server-side `SSL` on the default certificate; the caller owns it.
    func makeSSL() -> OpaquePointer? {
        SSL_new(contexts[0])
    }

    private static func makeContext(_ configuration: TLSServerConfiguration) throws(TLSConfigurationError) -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSConfigurationError(path: nil, "OpenSSL cannot create a TLS context: \(OpenSSLErrorQueue.drainedText(default: "out of memory"))")
        }
        var options = ctls_SSL_OP_NO_RENEGOTIATION | ctls_SSL_OP_NO_COMPRESSION | ctls_SSL_OP_CIPHER_SERVER_PREFERENCE
        if !configuration.sessionTickets { options |= ctls_SSL_OP_NO_TICKET }
        SSL_CTX_set_options(context, options)
        // Every bundle's context shares one session id context, so a session resumes whichever
        // certificate SNI picked.
        let sessionContext = Array("hactl".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        func failure(_ message: String) -> TLSConfigurationError {
            SSL_CTX_free(context)
            return TLSConfigurationError(path: nil, message)
        }
        if ctls_SSL_CTX_set_min_proto_version(context, configuration.minimumVersion.openSSLValue) != 1 {
            throw failure("ssl-min-ver \(configuration.minimumVersion.rawValue) is not available in this OpenSSL")
        }
        if let maximum = configuration.maximumVersion, ctls_SSL_CTX_set_max_proto_version(context, maximum.openSSLValue) != 1 {
            throw failure("ssl-max-ver \(maximum.rawValue) is not available in this OpenSSL")
        }
        if let ciphers = configuration.ciphers, SSL_CTX_set_cipher_list(context, ciphers) != 1 {
            OpenSSLErrorQueue.clear()
            throw failure("ciphers '\(ciphers)': OpenSSL knows none of these ciphers")
        }
        if let suites = configuration.ciphersuites, SSL_CTX_set_ciphersuites(context, suites) != 1 {
            OpenSSLErrorQueue.clear()
            throw failure("ciphersuites '\(suites)': OpenSSL knows none of these TLS 1.3 suites")
        }
        return context
    }

    // MARK: callbacks (OpenSSL calls these on the connection's event loop, inside SSL_do_handshake)

    fileprivate func selectCertificate(_ ssl: OpaquePointer, alert: UnsafeMutablePointer<Int32>?) -> Int32 {
        guard let raw = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else {
            if configuration.strictSNI {
                alert?.pointee = Self.alertUnrecognizedName
                return Self.extensionAlertFatal
            }
            return Self.extensionOK
        }
        guard let index = certificateIndex(forServerName: String(cString: raw)) else {
            if configuration.strictSNI {
                alert?.pointee = Self.alertUnrecognizedName
                return Self.extensionAlertFatal
            }
            return Self.extensionOK
        }
        if index != 0 { _ = SSL_set_SSL_CTX(ssl, contexts[index]) }
        return Self.extensionOK
    }

    fileprivate func selectALPN(_ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
                                _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32) -> Int32 {
        guard let out, let outLength, let offered else { return Self.extensionNoAck }
        var selected: UnsafeMutablePointer<UInt8>?
        let result = SSL_select_next_proto(&selected, outLength, alpnWire.baseAddress, UInt32(alpnWire.count - 1), offered, offeredLength)
        guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return Self.extensionNoAck }
        out.pointee = UnsafePointer(selected)
        return Self.extensionOK
    }

    // tls1.h / ssl.h values (macros Swift does not import through their aliases).
    static let extensionOK: Int32 = 0          // SSL_TLSEXT_ERR_OK
    static let extensionAlertFatal: Int32 = 2  // SSL_TLSEXT_ERR_ALERT_FATAL
    static let extensionNoAck: Int32 = 3       // SSL_TLSEXT_ERR_NOACK
    static let alertUnrecognizedName: Int32 = 112  // TLS1_AD_UNRECOGNIZED_NAME
}

private let serverNameCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, alert, argument in
    guard let ssl, let argument else { return TLSServerContext.extensionNoAck }
    return Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue().selectCertificate(ssl, alert: alert)
}

private let alpnCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
                                          UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?) -> Int32 = { _, out, outLength, offered, offeredLength, argument in
    guard let argument else { return TLSServerContext.extensionNoAck }
    return Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue().selectALPN(out, outLength, offered, offeredLength)
}

/// Contexts compare by identity: two loads of the same files are two contexts.
extension TLSServerContext: Hashable {
    public static func == (lhs: TLSServerContext, rhs: TLSServerContext) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
