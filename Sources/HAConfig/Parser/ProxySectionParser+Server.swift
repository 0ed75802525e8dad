import HACore

extension ProxySectionParser {
    static let serverOptionNames = [
        "check", "inter", "fastinter", "downinter", "rise", "fall", "weight", "maxconn", "backup", "disabled",
        "enabled", "cookie", "slowstart", "observe", "port", "addr", "ssl", "verify", "send-proxy", "check-ssl",
        "ca-file", "sni", "alpn", "crt", "verifyhost", "check-sni", "ciphers", "ciphersuites", "crl-file",
    ]

    /// `server NAME ADDRESS[:PORT] [OPTIONS]`, starting from the `default-server` template.
    func parseServer(_ statement: Statement, template: Server) -> Server? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let name = arguments.require("a server name"), checkName(name, in: statement, what: "server") else { return nil }
        guard let address = arguments.require("an address such as 198.18.0.10:80") else { return nil }
        var server = template
        server.name = name.text
        server.location = statement.location
        let split = HostPort.split(address.text)
        guard let host = split.host, !host.isEmpty, IPAddressFamily.of(host) != nil || HostNameText.isValid(host) else {
            diagnostics.error(at: arguments.location(of: address), keyword: "server", "expected an IP address or host name with an optional port, got '\(address.text)'")
            return nil
        }
        server.host = host
        if let portText = split.portText {
            if portText.hasPrefix("+") || portText.hasPrefix("-") {
                diagnostics.error(at: arguments.location(of: address), keyword: "server", UnsupportedKeywords.message("server port offsets (\(portText))", origin: .haproxy))
                return nil
            }
            guard let port = Int(portText), (1...65535).contains(port) else {
                diagnostics.error(at: arguments.location(of: address), keyword: "server", "expected a port from 1 to 65535, got '\(portText)'")
                return nil
            }
            server.port = port
        }
        guard parseServerOptions(statement, from: arguments.index, into: &server) else { return nil }
        return server
    }

    /// Reads server options from word `start` on; returns `false` after an error.
    @discardableResult
    func parseServerOptions(_ statement: Statement, from start: Int, into server: inout Server) -> Bool {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics, skipping: start)
        while let option = arguments.next() {
            arguments.keyword = "\(statement.keyword.text) \(option.text)"
            switch option.text {
            case "check": server.check = true
            case "backup": server.backup = true
            case "disabled": server.disabled = true
            case "enabled": server.disabled = false
            case "ssl": server.ssl = true
            case "check-ssl": server.checkSSL = true
            case "send-proxy": server.sendProxy = true
            case "inter":
                guard let value = arguments.duration("a check interval", bare: .milliseconds) else { return false }
                server.inter = value
            case "fastinter":
                guard let value = arguments.duration("a check interval", bare: .milliseconds) else { return false }
                server.fastinter = value
            case "downinter":
                guard let value = arguments.duration("a check interval", bare: .milliseconds) else { return false }
                server.downinter = value
            case "slowstart":
                guard let value = arguments.duration("a ramp-up time", bare: .milliseconds) else { return false }
                server.slowstart = value
            case "rise":
                guard let value = arguments.integer("a count of successful checks", in: 1...1000) else { return false }
                server.rise = value
            case "fall":
                guard let value = arguments.integer("a count of failed checks", in: 1...1000) else { return false }
                server.fall = value
            case "weight":
                guard let value = arguments.integer("a weight", in: 0...256) else { return false }
                server.weight = value
            case "maxconn":
                guard let value = arguments.integer("a connection count", in: 0...10_000_000) else { return false }
                server.maxconn = value == 0 ? nil : value
            case "cookie":
                guard let value = arguments.require("a cookie value") else { return false }
                server.cookie = value.text
            case "observe":
                guard let value = arguments.require("'layer7'") else { return false }
                guard value.text == "layer7" else {
                    diagnostics.error(at: arguments.location(of: value), keyword: arguments.keyword,
                                      value.text == "layer4" ? UnsupportedKeywords.message("observe layer4", origin: .haproxy) : "expected 'layer7', got '\(value.text)'")
                    return false
                }
                server.observeLayer7 = true
            case "port":
                guard let word = arguments.require("a health-check port"), let port = arguments.port(word) else { return false }
                server.checkPort = port
            case "addr":
                guard let word = arguments.require("a health-check address") else { return false }
                guard IPAddressFamily.of(word.text) != nil else {
                    diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, "expected an IP address, got '\(word.text)'")
                    return false
                }
                server.checkAddress = word.text
            case "verify":
                guard let word = arguments.require("'none' or 'required'") else { return false }
                guard word.text == "none" || word.text == "required" else {
                    diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, "expected 'none' or 'required', got '\(word.text)'")
                    return false
                }
                server.verify = word.text
            case "ca-file":
                guard let word = arguments.require("a CA file (PEM)") else { return false }
                server.caFile = Self.resolve(word.text, base: caBase)
            case "crt":
                guard let word = arguments.require("a client certificate file (PEM with its key)") else { return false }
                server.crt = Self.resolve(word.text, base: crtBase)
            case "sni":
                guard let word = arguments.require("a sample expression such as req.hdr(host) or str(www.example.com)") else { return false }
                guard Self.isServerNameExpression(word.text) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword,
                                      "expected req.hdr(host) or str(NAME), got '\(word.text)'")
                    return false
                }
                server.sni = word.text
            case "alpn":
                guard let word = arguments.require("a protocol list such as http/1.1") else { return false }
                server.alpn = word.text.split(separator: ",").map(String.init)
            case "verifyhost":
                guard let word = arguments.require("a host name") else { return false }
                server.verifyhost = word.text
            case "check-sni":
                guard let word = arguments.require("a host name") else { return false }
                server.checkSNI = word.text
            case "ciphers":
                guard let word = arguments.require("an OpenSSL cipher list") else { return false }
                server.ciphers = word.text
            case "ciphersuites":
                guard let word = arguments.require("a TLS 1.3 cipher suite list") else { return false }
                server.ciphersuites = word.text
            case "crl-file":
                guard let word = arguments.require("a PEM file of CRLs") else { return false }
                server.crlFile = Self.resolve(word.text, base: caBase)
            default:
                if let reason = UnsupportedKeywords.serverOptions[option.text] {
                    diagnostics.error(at: arguments.location(of: option), keyword: statement.keyword.text,
                                      UnsupportedKeywords.message("\(statement.keyword.text) ... \(option.text)", origin: .haproxy, reason: reason))
                } else {
                    diagnostics.error(at: arguments.location(of: option), keyword: statement.keyword.text, "unknown server option '\(option.text)'",
                                      suggestion: KeywordSuggestion.nearest(to: option.text, in: Self.serverOptionNames))
                }
                return false
            }
        }
        return true
    }

    /// HAProxy's `ca-base` / `crt-base`: a relative path is taken from the base directory.
    static func resolve(_ path: String, base: String?) -> String {
        guard let base, !path.hasPrefix("/"), !path.hasPrefix("@") else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// The `sni` expressions hactl evaluates: the request's Host (port dropped) or a constant.
    static func isServerNameExpression(_ text: String) -> Bool {
        let lowered = text.lowercased()
        if lowered == "req.hdr(host)" || lowered == "hdr(host)" { return true }
        return text.hasPrefix("str(") && text.hasSuffix(")") && text.count > 5
    }
}
