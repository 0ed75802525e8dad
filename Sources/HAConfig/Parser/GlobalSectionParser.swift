import HACore

/// Parses HAProxy's `global` section and keepalived's `global_defs` keys into `GlobalSettings`.
/// In hactl.conf both kinds of key live in `global`.
struct GlobalSectionParser {
    let diagnostics: Diagnostics
    /// Accept HAProxy keys.
    let haproxyKeys: Bool
    /// Accept keepalived keys.
    let keepalivedKeys: Bool

    static let haproxyKeywords = [
        "log", "maxconn", "nbthread", "stats", "pidfile", "user", "group", "chroot", "daemon", "tune.bufsize", "tune.http.maxhdr",
        "tune.ssl.default-dh-param", "crt-base", "ca-base", "ssl-default-bind-ciphers",
        "ssl-default-bind-ciphersuites", "ssl-default-bind-options", "ssl-server-verify",
        "ssl-default-server-ciphers", "ssl-default-server-ciphersuites", "ssl-default-server-options", "localpeer",
        "log-send-hostname", "log-tag",
    ]
    static let keepalivedKeywords = [
        "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout", "smtp_alert", "router_id",
        "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_version", "enable_script_security", "script_user",
        "vrrp_garp_master_delay", "vrrp_garp_master_repeat",
    ]

    func parse(_ statements: [Statement], into global: inout GlobalSettings) {
        let known = (haproxyKeys ? Self.haproxyKeywords : []) + (keepalivedKeys ? Self.keepalivedKeywords : [])
        let section = keepalivedKeys && !haproxyKeys ? "global_defs" : "global"
        for statement in statements {
            let keyword = statement.keyword.text
            if haproxyKeys, keyword == "nbproc" {
                // hactl is one process: `nbproc 1` (in many published configurations) says just that.
                var arguments = ArgumentReader(statement, diagnostics: diagnostics)
                if let word = arguments.require("1"), word.text != "1" {
                    diagnostics.error(at: statement.location, keyword: "nbproc",
                                      UnsupportedKeywords.message("nbproc \(word.text)", origin: .haproxy, reason: "hactl is one process; use nbthread"))
                }
                arguments.expectEnd()
            } else if haproxyKeys, Self.haproxyKeywords.contains(keyword) {
                parseHAProxy(statement, into: &global)
            } else if keepalivedKeys, Self.keepalivedKeywords.contains(keyword) {
                parseKeepalived(statement, into: &global)
            } else if haproxyKeys, let reason = UnsupportedKeywords.haproxyGlobal[keyword] {
                diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .haproxy, reason: reason))
            } else if keepalivedKeys, let reason = UnsupportedKeywords.keepalivedGlobal[keyword] {
                diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .keepalived, reason: reason))
            } else if haproxyKeys, keyword.hasPrefix("tune.") || keyword.hasPrefix("ssl-") {
                diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .haproxy))
            } else {
                diagnostics.unknownKeyword(statement.keyword, in: statement, section: section, candidates: known)
            }
        }
    }

    private func parseHAProxy(_ statement: Statement, into global: inout GlobalSettings) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        switch statement.keyword.text {
        case "log":
            if let target = LogLineParser(diagnostics: diagnostics).parse(statement) { global.logTargets.append(target) }
            return
        case "log-send-hostname":
            global.logSendHostname = .some(arguments.next()?.text)
        case "log-tag":
            global.logTag = arguments.require("a tag such as hactl")?.text
        case "maxconn":
            global.maxconn = arguments.integer("a connection count", in: 1...10_000_000)
        case "nbthread":
            global.nbthread = arguments.integer("a thread count", in: 1...4096)
        case "stats":
            parseStats(statement, into: &global)
            return
        case "pidfile":
            global.pidfile = arguments.require("a file path")?.text
        case "user":
            global.user = arguments.require("a user name")?.text
        case "group":
            global.group = arguments.require("a group name")?.text
        case "chroot":
            global.chroot = arguments.require("a directory")?.text
        case "localpeer":
            global.localPeer = arguments.require("this node's name in the peers section")?.text
        case "daemon":
            global.daemon = true
        case "tune.bufsize":
            if let word = arguments.require("a buffer size in bytes such as 16384 or 16k") {
                if let size = SizeValue.parse(word.text), (1024...(256 * 1024 * 1024)).contains(size) {
                    global.tuneBufsize = size
                } else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "tune.bufsize", "expected a buffer size from 1k to 256m such as 16384 or 16k, got '\(word.text)'")
                }
            }
        case "tune.http.maxhdr":
            if let lines = arguments.integer("a number of header lines", in: 1...32767) { global.tuneHTTPMaxhdr = lines }
        case "tune.ssl.default-dh-param":
            global.sslDefaultDHParam = arguments.integer("a Diffie-Hellman size in bits", in: 1024...16384)
        case "crt-base":
            global.crtBase = arguments.require("a directory")?.text
        case "ca-base":
            global.caBase = arguments.require("a directory")?.text
        case "ssl-server-verify":
            if let word = arguments.require("'none' or 'required'") {
                if word.text == "none" || word.text == "required" {
                    global.sslServerVerify = word.text
                } else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "ssl-server-verify", "expected 'none' or 'required', got '\(word.text)'")
                }
            }
        case "ssl-default-server-ciphers":
            global.sslDefaultServerCiphers = arguments.require("an OpenSSL cipher list")?.text
        case "ssl-default-server-ciphersuites":
            global.sslDefaultServerCiphersuites = arguments.require("a TLS 1.3 cipher suite list")?.text
        case "ssl-default-server-options":
            guard let options = tlsOptions(&arguments, keyword: "ssl-default-server-options", also: []) else { return }
            global.sslDefaultServerOptions = options
        case "ssl-default-bind-ciphers":
            global.sslDefaultBindCiphers = arguments.require("an OpenSSL cipher list")?.text
        case "ssl-default-bind-ciphersuites":
            global.sslDefaultBindCiphersuites = arguments.require("a TLS 1.3 cipher suite list")?.text
        case "ssl-default-bind-options":
            guard let options = tlsOptions(&arguments, keyword: "ssl-default-bind-options", also: ["strict-sni"]) else { return }
            global.sslDefaultBindOptions = options
        default:
            break
        }
        arguments.expectEnd()
    }

    /// `ssl-default-bind-options` / `ssl-default-server-options`: the words hactl applies, each
    /// version word with its version; anything else is refused at its column. Nil after an error.
    private func tlsOptions(_ arguments: inout ArgumentReader, keyword: String, also extra: [String]) -> [String]? {
        let flags = ["no-sslv3", "no-tlsv10", "no-tlsv11", "no-tls-tickets"] + extra
        var words = arguments.rest()[...]
        var options: [String] = []
        while let word = words.popFirst() {
            switch word.text {
            case "ssl-min-ver", "ssl-max-ver":
                guard let version = words.popFirst(), ProxySectionParser.tlsVersions.contains(version.text) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: keyword, "'\(word.text)' expects TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3")
                    return nil
                }
                options += [word.text, version.text]
            case let flag where flags.contains(flag):
                options.append(flag)
            default:
                diagnostics.error(at: arguments.location(of: word), keyword: keyword,
                                  UnsupportedKeywords.message("\(keyword) \(word.text)", origin: .haproxy,
                                                              reason: "hactl applies ssl-min-ver, ssl-max-ver, \(flags.joined(separator: ", "))"))
                return nil
            }
        }
        return options
    }

    private func parseStats(_ statement: Statement, into global: inout GlobalSettings) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let kind = arguments.require("'socket' or 'timeout'") else { return }
        switch kind.text {
        case "socket":
            arguments.keyword = "stats socket"
            guard let path = arguments.require("a unix socket path") else { return }
            var socket = StatsSocket(path: path.text, location: statement.location)
            while let option = arguments.next() {
                switch option.text {
                case "mode":
                    guard let word = arguments.require("a permission mode such as 600") else { return }
                    guard let mode = Int(word.text, radix: 8), (0...0o777).contains(mode) else {
                        diagnostics.error(at: arguments.location(of: word), keyword: "stats socket", "expected an octal permission mode such as 600, got '\(word.text)'")
                        continue
                    }
                    socket.mode = mode
                case "level":
                    guard let word = arguments.require("'user', 'operator' or 'admin'") else { return }
                    guard ["user", "operator", "admin"].contains(word.text) else {
                        diagnostics.error(at: arguments.location(of: word), keyword: "stats socket", "expected 'user', 'operator' or 'admin', got '\(word.text)'",
                                          suggestion: KeywordSuggestion.nearest(to: word.text, in: ["user", "operator", "admin"]))
                        continue
                    }
                    socket.level = word.text
                case "user", "group":
                    guard let word = arguments.require("a \(option.text) name") else { return }
                    if option.text == "user" { socket.user = word.text } else { socket.group = word.text }
                default:
                    if let reason = UnsupportedKeywords.bindOptions[option.text] {
                        diagnostics.error(at: arguments.location(of: option), keyword: option.text, UnsupportedKeywords.message("stats socket ... \(option.text)", origin: .haproxy, reason: reason ?? "hactl's control socket takes mode, level, user and group"))
                    } else {
                        diagnostics.error(at: arguments.location(of: option), keyword: "stats socket", "unknown option '\(option.text)': expected 'mode', 'level', 'user' or 'group'",
                                          suggestion: KeywordSuggestion.nearest(to: option.text, in: ["mode", "level", "user", "group"]))
                    }
                    _ = arguments.rest()
                }
            }
            global.statsSocket = socket
        case "timeout":
            arguments.keyword = "stats timeout"
            global.statsTimeout = arguments.duration("a timeout", bare: .milliseconds)
            arguments.expectEnd()
        default:
            diagnostics.error(at: arguments.location(of: kind), keyword: "stats \(kind.text)",
                              UnsupportedKeywords.message("stats \(kind.text)", origin: .haproxy, reason: "hactl supports 'stats socket' and 'stats timeout' in global"))
        }
    }

    private func parseKeepalived(_ statement: Statement, into global: inout GlobalSettings) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        switch statement.keyword.text {
        case "notification_email":
            // keepalived: a block with one address per line; hactl.conf: addresses on the line.
            let words = arguments.rest() + (statement.block ?? []).flatMap(\.words)
            if words.isEmpty {
                diagnostics.error(at: statement.endLocation, keyword: "notification_email", "expected one or more e-mail addresses")
            }
            global.notificationEmail += words.map(\.text)
            return
        case "notification_email_from":
            // Like keepalived, a bare name is a local mailbox.
            global.notificationEmailFrom = arguments.require("an e-mail address")?.text
        case "smtp_server":
            if let host = arguments.require("an SMTP server address") {
                global.smtpServer = host.text
                if let port = arguments.next(), let value = arguments.port(port) {
                    global.smtpServer = host.text.contains(":") ? "[\(host.text)]:\(value)" : "\(host.text):\(value)"
                }
            }
        case "smtp_connect_timeout":
            global.smtpConnectTimeout = arguments.duration("a timeout", bare: .seconds)
        case "smtp_alert":
            if let word = arguments.next() {
                switch word.text.lowercased() {
                case "on", "true", "yes": global.smtpAlert = true
                case "off", "false", "no": global.smtpAlert = false
                default:
                    diagnostics.error(at: arguments.location(of: word), keyword: "smtp_alert", "expected on/off, true/false or yes/no, got '\(word.text)'")
                }
            } else {
                global.smtpAlert = true
            }
        case "router_id":
            global.routerID = arguments.require("a name for this node")?.text
        case "vrrp_mcast_group4":
            if let word = arguments.require("an IPv4 multicast address") {
                if IPAddressFamily.isIPv4(word.text), let first = Int(word.text.split(separator: ".")[0]), (224...239).contains(first) {
                    global.vrrpMcastGroup4 = word.text
                } else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "vrrp_mcast_group4", "expected an IPv4 multicast address such as 224.0.0.18, got '\(word.text)'")
                }
            }
        case "vrrp_mcast_group6":
            if let word = arguments.require("an IPv6 multicast address") {
                if IPAddressFamily.isIPv6(word.text), word.text.lowercased().hasPrefix("ff") {
                    global.vrrpMcastGroup6 = word.text
                } else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "vrrp_mcast_group6", "expected an IPv6 multicast address such as ff02::12, got '\(word.text)'")
                }
            }
        case "vrrp_version":
            if let version = arguments.integer("a VRRP version", in: 2...3) { global.vrrpVersion = version }
        case "enable_script_security":
            global.enableScriptSecurity = true
        case "script_user":
            global.scriptUser = arguments.require("a user name")?.text
            global.scriptGroup = arguments.next()?.text
        case "vrrp_garp_master_delay":
            global.vrrpGarpMasterDelay = arguments.duration("a delay", bare: .seconds)
        case "vrrp_garp_master_repeat":
            global.vrrpGarpMasterRepeat = arguments.integer("a repeat count", in: 1...1000)
        default:
            break
        }
        arguments.expectEnd()
        if let block = statement.block, statement.keyword.text != "notification_email" {
            diagnostics.error(at: statement.location, keyword: statement.keyword.text, "takes no '{ }' block (found one with \(block.count) lines)")
        }
    }
}

/// HAProxy `log ADDRESS [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`, `log global`.
struct LogLineParser {
    let diagnostics: Diagnostics

    static let facilities = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2", "ftp", "ntp",
        "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]
    static let levels = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
    static let formats = ["local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw"]

    /// The target, or `nil` for `log global` / on error (reported).
    func parse(_ statement: Statement) -> LogTarget? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let address = arguments.require("a log target such as /dev/log, stdout or 127.0.0.1:514, or 'global'") else { return nil }
        var target = LogTarget(address: address.text, facility: "", location: statement.location)
        while let word = arguments.peek, word.text == "format" || word.text == "len" || word.text == "sample" {
            _ = arguments.next()
            guard let value = arguments.require("a value for '\(word.text)'") else { return nil }
            switch word.text {
            case "format":
                guard Self.formats.contains(value.text) else {
                    diagnostics.error(at: arguments.location(of: value), keyword: "log", "expected a log format (\(Self.formats.joined(separator: ", "))), got '\(value.text)'",
                                      suggestion: KeywordSuggestion.nearest(to: value.text, in: Self.formats))
                    return nil
                }
                target.format = value.text
            case "len":
                // HAProxy accepts 80 to 65535 (a datagram's length, its newline included).
                guard let length = Int(value.text), (80...65535).contains(length) else {
                    diagnostics.error(at: arguments.location(of: value), keyword: "log", "expected a line length from 80 to 65535 after 'len', got '\(value.text)'")
                    return nil
                }
                target.length = length
            default:
                diagnostics.error(at: arguments.location(of: word), keyword: "log", UnsupportedKeywords.message("log ... \(word.text)", origin: .haproxy))
                return nil
            }
        }
        guard let facility = arguments.require("a syslog facility such as local0") else { return nil }
        guard Self.facilities.contains(facility.text) else {
            diagnostics.error(at: arguments.location(of: facility), keyword: "log", "expected a syslog facility such as local0 or daemon, got '\(facility.text)'",
                              suggestion: KeywordSuggestion.nearest(to: facility.text, in: Self.facilities))
            return nil
        }
        target.facility = facility.text
        for keyPath in [\LogTarget.level, \LogTarget.minimumLevel] {
            guard let level = arguments.next() else { break }
            guard Self.levels.contains(level.text) else {
                diagnostics.error(at: arguments.location(of: level), keyword: "log", "expected a syslog level (\(Self.levels.joined(separator: ", "))), got '\(level.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: level.text, in: Self.levels))
                return nil
            }
            target[keyPath: keyPath] = level.text
        }
        arguments.expectEnd()
        return target
    }
}
