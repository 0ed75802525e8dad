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
    /// The bundles in load order (`crt` first, then `crt-list` lines); the first is the default.
    public let certificates: [CertificateBundle]
    /// `SSL_CTX` per bundle, same order; never changed after `init`.
    private let contexts: [OpaquePointer]
    /// What each bundle is served with (its crt-list line's settings over the bind's), same order.
    private let settings: [BundleSettings]
    /// Exact names and `*.example.com` (keyed by `example.com`) to the bundles serving them, in
    /// load order.
    private let exactNames: [String: [Int]]
    private let wildcardNames: [String: [Int]]
    /// The ALPN list in wire format (length-prefixed names), as `SSL_select_next_proto` reads it.
    private let alpnWire: UnsafeMutableBufferPointer<UInt8>
    /// `tls-ticket-keys`: read by the ticket callback of every context.
    private let ticketKeys: TicketKeyStore?

    /// One bundle's effective settings.
    struct BundleSettings {
        var configuration: TLSServerConfiguration
        /// Its ALPN list in wire format; nil = the bind's.
        var alpnWire: UnsafeMutableBufferPointer<UInt8>?
        /// crt-list `!name` filters: names this bundle is not served for.
        var excluded: Set<String>
        /// Whether it differs from the default bundle in versions or ciphers (applied to the
        /// connection when SNI picks it: `SSL_set_SSL_CTX` switches only the certificate).
        var overridesProtocol: Bool
    }

    /// Loads `configuration.certificatePath` and the crt-list lines and applies every setting;
    /// each failure names its file or setting (a crt-list line by `crt-list FILE:LINE`).
    public init(configuration: TLSServerConfiguration) throws(TLSConfigurationError) {
        self.configuration = configuration
        if let maximum = configuration.maximumVersion, maximum < configuration.minimumVersion {
            throw TLSConfigurationError(path: nil, "ssl-max-ver \(maximum.rawValue) is older than ssl-min-ver \(configuration.minimumVersion.rawValue)")
        }
        let wire = try Self.alpnWireFormat(configuration.alpn)
        let ticketKeys = try configuration.ticketKeysFile.map { path throws(TLSConfigurationError) in
            TicketKeyStore(try TLSTicketKeys(contentsOf: path))
        }
        self.ticketKeys = ticketKeys
        alpnWire = .allocate(capacity: wire.count + 1)
        _ = alpnWire.initialize(from: wire + [0])
        var contexts: [OpaquePointer] = []
        var certificates: [CertificateBundle] = []
        var settings: [BundleSettings] = []
        var filters: [[String]] = []
        do throws(TLSConfigurationError) {
            if let path = configuration.certificatePath {
                for bundlePath in try CertificateLoader.bundlePaths(path) {
                    let context = try Self.makeContext(configuration)
                    contexts.append(context)
                    settings.append(BundleSettings(configuration: configuration, alpnWire: nil, excluded: [], overridesProtocol: false))
                    certificates.append(try CertificateLoader.load(bundlePath, into: context))
                    filters.append([])
                }
            }
            for entry in configuration.certificateList {
                do throws(TLSConfigurationError) {
                    var merged = configuration
                    if let alpn = entry.alpn { merged.alpn = alpn }
                    if let minimum = entry.minimumVersion { merged.minimumVersion = minimum }
                    if let maximum = entry.maximumVersion { merged.maximumVersion = maximum }
                    if let ciphers = entry.ciphers { merged.ciphers = ciphers }
                    if let suites = entry.ciphersuites { merged.ciphersuites = suites }
                    if let maximum = merged.maximumVersion, maximum < merged.minimumVersion {
                        throw TLSConfigurationError(path: nil, "ssl-max-ver \(maximum.rawValue) is older than ssl-min-ver \(merged.minimumVersion.rawValue)")
                    }
                    for bundlePath in try CertificateLoader.bundlePaths(entry.path) {
                        let context = try Self.makeContext(merged)
                        contexts.append(context)
                        var entryWire: UnsafeMutableBufferPointer<UInt8>?
                        if let alpn = entry.alpn {
                            let bytes = try Self.alpnWireFormat(alpn)
                            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count + 1)
                            _ = buffer.initialize(from: bytes + [0])
                            entryWire = buffer
                        }
                        settings.append(BundleSettings(
                            configuration: merged, alpnWire: entryWire,
                            excluded: Set(entry.sniFilters.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) }),
                            overridesProtocol: entry.minimumVersion != nil || entry.maximumVersion != nil || entry.ciphers != nil || entry.ciphersuites != nil))
                        certificates.append(try CertificateLoader.load(bundlePath, into: context))
                        filters.append(entry.sniFilters.filter { !$0.hasPrefix("!") })
                    }
                } catch {
                    throw TLSConfigurationError(path: error.path ?? entry.path, "\(entry.origin): \(error.message)")
                }
            }
        } catch {
            for context in contexts { SSL_CTX_free(context) }
            for setting in settings { setting.alpnWire?.deallocate() }
            alpnWire.deallocate()
            throw error
        }
        var exact: [String: [Int]] = [:]
        var wildcard: [String: [Int]] = [:]
        for (index, bundle) in certificates.enumerated() {
            // crt-list SNI filters replace the names the certificate carries.
            for name in filters[index].isEmpty ? bundle.names : filters[index] where !settings[index].excluded.contains(name) {
                if name.hasPrefix("*.") {
                    wildcard[String(name.dropFirst(2)), default: []].append(index)
                } else {
                    exact[name, default: []].append(index)
                }
            }
        }
        self.contexts = contexts
        self.settings = settings
        self.certificates = certificates
        self.exactNames = exact
        self.wildcardNames = wildcard
        let unmanaged = Unmanaged.passUnretained(self).toOpaque()
        let anyALPN = !configuration.alpn.isEmpty || settings.contains { $0.alpnWire != nil }
        let anyOverride = settings.contains { $0.overridesProtocol }
        for context in contexts {
            ctls_SSL_CTX_set_tlsext_servername_callback(context, serverNameCallback)
            ctls_SSL_CTX_set_tlsext_servername_arg(context, unmanaged)
            if anyOverride {
                SSL_CTX_set_client_hello_cb(context, clientHelloCallback, unmanaged)
            }
            if anyALPN {
                SSL_CTX_set_alpn_select_cb(context, alpnCallback, unmanaged)
            }
            if let ticketKeys, configuration.sessionTickets {
                _ = ctls_SSL_CTX_set_app_data(context, Unmanaged.passUnretained(ticketKeys).toOpaque())
                _ = SSL_CTX_set_tlsext_ticket_key_evp_cb(context, ticketKeyCallback)
            }
        }
    }

    private static func alpnWireFormat(_ names: [String]) throws(TLSConfigurationError) -> [UInt8] {
        var wire: [UInt8] = []
        for name in names {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSConfigurationError(path: nil, "alpn: protocol name '\(name)' must be 1 to 255 bytes")
            }
            wire.append(UInt8(bytes.count))
            wire += bytes
        }
        return wire
    }

    deinit {
        for context in contexts { SSL_CTX_free(context) }
        for setting in settings { setting.alpnWire?.deallocate() }
        alpnWire.deallocate()
    }

    /// The bundle that serves `serverName`: an exact name first, then a wildcard one label up;
    /// nil when none covers it.
    public func certificateIndex(forServerName serverName: String) -> Int? {
        let name = serverName.lowercased()
        if let index = exactNames[name]?.first { return index }
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex else { return nil }
        // A crt-list `!name` keeps a wildcard bundle from serving that one name.
        return wildcardNames[String(name[name.index(after: dot)...])]?.first { !settings[$0].excluded.contains(name) }
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
        if configuration.clientVerify != .none {
            do throws(TLSConfigurationError) {
                try ClientCertificateVerification.configure(context, verify: configuration.clientVerify,
                                                            caFile: configuration.clientCAFile, crlFile: configuration.clientCRLFile)
            } catch {
                SSL_CTX_free(context)
                throw error
            }
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

    /// Before the version is chosen: a crt-list line with its own versions or ciphers applies
    /// them to the connection when the ClientHello's SNI selects its bundle.
    fileprivate func applyProtocolSettings(_ ssl: OpaquePointer) -> Int32 {
        guard let name = Self.serverName(inClientHello: ssl), let index = certificateIndex(forServerName: name), index != 0,
              settings[index].overridesProtocol else { return 1 }  // SSL_CLIENT_HELLO_SUCCESS
        let chosen = settings[index].configuration
        _ = SSL_set_SSL_CTX(ssl, contexts[index])
        _ = ctls_SSL_set_min_proto_version(ssl, chosen.minimumVersion.openSSLValue)
        _ = ctls_SSL_set_max_proto_version(ssl, chosen.maximumVersion?.openSSLValue ?? 0)
        if let ciphers = chosen.ciphers { _ = SSL_set_cipher_list(ssl, ciphers) }
        if let suites = chosen.ciphersuites { _ = SSL_set_ciphersuites(ssl, suites) }
        OpenSSLErrorQueue.clear()
        return 1
    }

    /// The host name of a ClientHello's server_name extension (RFC 6066 §3), read raw: the
    /// client-hello callback runs before OpenSSL has parsed extensions.
    private static func serverName(inClientHello ssl: OpaquePointer) -> String? {
        var data: UnsafePointer<UInt8>?
        var length = 0
        guard SSL_client_hello_get0_ext(ssl, 0 /* TLSEXT_TYPE_server_name */, &data, &length) == 1, let data, length >= 5 else { return nil }
        let bytes = UnsafeBufferPointer(start: data, count: length)
        let listLength = Int(bytes[0]) << 8 | Int(bytes[1])
        guard listLength + 2 <= length, bytes[2] == 0 /* host_name */ else { return nil }
        let nameLength = Int(bytes[3]) << 8 | Int(bytes[4])
        guard 5 + nameLength <= length, nameLength > 0 else { return nil }
        return String(decoding: bytes[5..<(5 + nameLength)], as: UTF8.self)
    }

    fileprivate func selectALPN(_ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
                                _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32) -> Int32 {
        guard let out, let outLength, let offered else { return Self.extensionNoAck }
        // The bundle SNI chose may carry its own crt-list `alpn`.
        var wire = alpnWire
        if let ssl, let current = SSL_get_SSL_CTX(ssl), let index = contexts.firstIndex(of: current), let own = settings[index].alpnWire {
            wire = own
        }
        guard wire.count > 1 else { return Self.extensionNoAck }
        var selected: UnsafeMutablePointer<UInt8>?
        let result = SSL_select_next_proto(&selected, outLength, wire.baseAddress, UInt32(wire.count - 1), offered, offeredLength)
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
                                          UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?) -> Int32 = { ssl, out, outLength, offered, offeredLength, argument in
    guard let argument else { return TLSServerContext.extensionNoAck }
    return Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue().selectALPN(ssl, out, outLength, offered, offeredLength)
}

private let clientHelloCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, _, argument in
    guard let ssl, let argument else { return 1 }
    return Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue().applyProtocolSettings(ssl)
}

/// Contexts compare by identity: two loads of the same files are two contexts.
extension TLSServerContext: Hashable {
    public static func == (lhs: TLSServerContext, rhs: TLSServerContext) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
