import HACore

extension ProxySectionParser {
    /// `bind ADDRESS:PORT[,ADDRESS:PORT...] [ssl] [crt PATH] [alpn LIST] [ssl-min-ver V] [ssl-max-ver V]
    /// [ciphers LIST] [ciphersuites LIST] [strict-sni] [no-tls-tickets] [tls-ticket-keys FILE] [transparent] [v6only]
    /// [interface NAME] [name NAME]`; a port range `8000-8003` gives one listener per port.
    func parseBind(_ statement: Statement) -> [Bind] {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let addressWord = arguments.require("an address and port such as :80, *:443 or 198.18.0.1:80") else { return [] }
        var binds: [Bind] = []
        for piece in addressWord.text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let parsed = parseBindAddress(String(piece), word: addressWord, statement: statement) else { return [] }
            for port in parsed.ports {
                binds.append(Bind(host: parsed.host, port: port, location: statement.location(of: addressWord)))
            }
        }
        var template = Bind(port: 0)
        let options = ["ssl", "crt", "crt-list", "verify", "ca-file", "crl-file", "alpn", "ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites", "strict-sni",
                       "no-tls-tickets", "tls-ticket-keys", "transparent", "v6only", "interface", "name"]
        while let option = arguments.next() {
            switch option.text {
            case "ssl": template.ssl = true
            case "transparent": template.transparent = true
            case "v6only": template.v6only = true
            case "crt":
                guard let path = arguments.require("a certificate file or directory") else { return [] }
                if template.certificatePath != nil {
                    diagnostics.error(at: arguments.location(of: option), keyword: "bind", "only one 'crt' per bind: put the certificates in one directory and name it")
                    return []
                }
                if let base = crtBase, !path.text.hasPrefix("/") {
                    template.certificatePath = base.hasSuffix("/") ? base + path.text : base + "/" + path.text
                } else {
                    template.certificatePath = path.text
                }
            case "crt-list":
                guard let path = arguments.require("a crt-list file (one certificate per line)") else { return [] }
                if template.certificateListPath != nil {
                    diagnostics.error(at: arguments.location(of: option), keyword: "bind", "only one 'crt-list' per bind")
                    return []
                }
                let file = path.text.hasPrefix("/") || crtBase == nil ? path.text : (crtBase!.hasSuffix("/") ? crtBase! + path.text : crtBase! + "/" + path.text)
                guard let entries = CertificateListParser(diagnostics: diagnostics, crtBase: crtBase).parse(file, origin: arguments.location(of: path)) else {
                    return []
                }
                template.certificateListPath = file
                template.certificateList = entries
            case "verify":
                guard let mode = arguments.require("none, optional or required") else { return [] }
                guard ["none", "optional", "required"].contains(mode.text) else {
                    diagnostics.error(at: arguments.location(of: mode), keyword: "bind", "'verify' expects none, optional or required, got '\(mode.text)'")
                    return []
                }
                template.verify = mode.text
            case "ca-file", "crl-file":
                guard let path = arguments.require(option.text == "ca-file" ? "a PEM file of CA certificates" : "a PEM file of CRLs") else { return [] }
                let resolved = Self.resolve(path.text, base: caBase)
                if option.text == "ca-file" { template.caFile = resolved } else { template.crlFile = resolved }
            case "alpn":
                guard let list = arguments.require("a protocol list such as h2,http/1.1") else { return [] }
                template.alpn = list.text.split(separator: ",").map(String.init)
            case "ssl-min-ver", "ssl-max-ver":
                guard let version = arguments.require("a protocol version: TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3") else { return [] }
                guard Self.tlsVersions.contains(version.text) else {
                    diagnostics.error(at: arguments.location(of: version), keyword: "bind",
                                      "'\(option.text)' expects TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got '\(version.text)'"
                                      + (version.text == "SSLv3" ? " (SSLv3 is not available in OpenSSL 3)" : ""))
                    return []
                }
                if option.text == "ssl-min-ver" { template.sslMinVer = version.text } else { template.sslMaxVer = version.text }
            case "ciphers":
                template.ciphers = arguments.require("an OpenSSL cipher list")?.text
            case "ciphersuites":
                template.ciphersuites = arguments.require("a TLS 1.3 cipher suite list")?.text
            case "strict-sni": template.strictSNI = true
            case "no-tls-tickets": template.noTLSTickets = true
            case "tls-ticket-keys":
                template.ticketKeysFile = arguments.require("a file of base64 ticket keys, one per line")?.text
            case "interface":
                template.interface = arguments.require("an interface name")?.text
            case "name":
                template.name = arguments.require("a listener name")?.text
            default:
                if let reason = UnsupportedKeywords.bindOptions[option.text] {
                    diagnostics.error(at: arguments.location(of: option), keyword: "bind", UnsupportedKeywords.message("bind ... \(option.text)", origin: .haproxy, reason: reason))
                } else {
                    diagnostics.error(at: arguments.location(of: option), keyword: "bind", "unknown bind option '\(option.text)'",
                                      suggestion: KeywordSuggestion.nearest(to: option.text, in: options))
                }
                return []
            }
        }
        if let verify = template.verify, verify != "none", template.caFile == nil {
            diagnostics.error(at: statement.location, keyword: "bind", "'verify \(verify)' needs 'ca-file PATH': the CAs client certificates must chain to")
            return []
        }
        if template.crlFile != nil, (template.verify ?? "none") == "none" {
            diagnostics.error(at: statement.location, keyword: "bind", "'crl-file' checks client certificates: add 'verify optional' or 'verify required'")
            return []
        }
        if template.ssl, template.certificatePath == nil, template.certificateListPath == nil {
            diagnostics.error(at: statement.location, keyword: "bind", "'ssl' needs 'crt PATH' (a PEM file or a directory of them) or 'crt-list FILE'")
            return []
        }
        if template.certificatePath != nil || template.certificateListPath != nil, !template.ssl {
            diagnostics.error(at: statement.location, keyword: "bind", "'crt' or 'crt-list' without 'ssl' would serve plain text: add 'ssl'")
            return []
        }
        return binds.map { bind in
            var copy = template
            copy.host = bind.host
            copy.port = bind.port
            copy.location = bind.location
            return copy
        }
    }

    /// The versions `ssl-min-ver` / `ssl-max-ver` accept (HAProxy's spelling).
    static let tlsVersions: Set<String> = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

    private func parseBindAddress(_ text: String, word: Word, statement: Statement) -> (host: String?, ports: [Int])? {
        let location = statement.location(of: word)
        for prefix in ["unix@", "abns@", "fd@", "sockpair@", "quic4@", "quic6@", "udp@", "udp4@", "udp6@"] where text.hasPrefix(prefix) {
            diagnostics.error(at: location, keyword: "bind", UnsupportedKeywords.message("bind \(prefix)", origin: .haproxy, reason: "hactl listens on TCP addresses"))
            return nil
        }
        if text.hasPrefix("/") {
            diagnostics.error(at: location, keyword: "bind", UnsupportedKeywords.message("bind on a unix socket", origin: .haproxy, reason: "hactl listens on TCP addresses"))
            return nil
        }
        var text = text
        for prefix in ["ipv4@", "ipv6@"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        let split = HostPort.split(text)
        guard let portText = split.portText, !portText.isEmpty else {
            diagnostics.error(at: location, keyword: "bind", "expected ADDRESS:PORT with a port, such as :80 or 198.18.0.1:443, got '\(text)'")
            return nil
        }
        var host = split.host
        if host == "*" || host == "" { host = nil }
        if let host, IPAddressFamily.of(host) == nil, !HostNameText.isValid(host) {
            diagnostics.error(at: location, keyword: "bind", "expected an IP address or host name, got '\(host)'")
            return nil
        }
        let bounds = portText.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count <= 2, let low = Int(bounds[0]), let high = Int(bounds.last!), (1...65535).contains(low), (1...65535).contains(high), low <= high else {
            diagnostics.error(at: location, keyword: "bind", "expected a port from 1 to 65535 (or a range such as 8000-8003), got '\(portText)'")
            return nil
        }
        guard high - low < 1024 else {
            diagnostics.error(at: location, keyword: "bind", "port range \(portText) is wider than 1024 ports")
            return nil
        }
        return (host, Array(low...high))
    }
}
