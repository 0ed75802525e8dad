import HACore

/// Prints a `Configuration` as hactl.conf (CONFIG.md): what `hactl import` writes. Reading the
/// text back gives the same configuration (locations aside): every setting that differs from
/// its default is written out in each section, so the output needs no `defaults` section.
public enum ConfigurationPrinter {
    /// A section `print(_:comments:)` can write comment lines into, right under its header.
    public enum CommentedSection: Sendable, Hashable {
        case global
        case vrrpInstance(String)
    }

    /// - Parameter comments: `#` lines (without the `#`) to write under a section's header, such as
    ///   what `hactl import` left out of a `vrrp_instance` and why.
    public static func print(_ configuration: Configuration, comments: [CommentedSection: [String]] = [:]) -> String {
        var writer = ConfigWriter()
        printGlobal(configuration.global, comments: comments[.global] ?? [], into: &writer)
        if let peers = configuration.peers {
            writer.section("peers", peers.name)
            for peer in peers.peers {
                let host = peer.address.contains(":") ? "[\(peer.address)]" : peer.address
                writer.line("peer", peer.name, "\(host):\(peer.port)")
            }
            if let key = peers.keyFile { writer.line("peer-key", key) }
        }
        for script in configuration.vrrpScripts { printScript(script, into: &writer) }
        for file in configuration.vrrpTrackFiles { printTrackFile(file, into: &writer) }
        for instance in configuration.vrrpInstances {
            printInstance(instance, comments: comments[.vrrpInstance(instance.name)] ?? [], into: &writer)
        }
        for group in configuration.vrrpSyncGroups { printSyncGroup(group, into: &writer) }
        for frontend in configuration.frontends {
            if frontend.isListen, let backend = configuration.backends.first(where: { $0.isListen && $0.name == frontend.name }) {
                writer.section("listen", frontend.name)
                printFrontendBody(frontend, listen: true, into: &writer)
                printBackendBody(backend, listen: true, into: &writer)
            } else {
                writer.section("frontend", frontend.name)
                printFrontendBody(frontend, listen: false, into: &writer)
            }
        }
        let listenNames = Set(configuration.frontends.filter(\.isListen).map(\.name))
        for backend in configuration.backends where !(backend.isListen && listenNames.contains(backend.name)) {
            writer.section("backend", backend.name)
            printBackendBody(backend, listen: false, into: &writer)
        }
        return writer.text
    }

    static func time(_ duration: Duration) -> String { TimeValue.format(duration) }
    static func seconds(_ duration: Duration) -> String { TimeValue.formatSeconds(duration) }

    // MARK: global

    static func printGlobal(_ global: GlobalSettings, comments: [String] = [], into writer: inout ConfigWriter) {
        let standard = GlobalSettings()
        var body = ConfigWriter()
        for comment in comments { body.comment(comment) }
        if let maxconn = global.maxconn { body.line("maxconn", String(maxconn)) }
        if let nbthread = global.nbthread { body.line("nbthread", String(nbthread)) }
        for target in global.logTargets { body.line(logWords(target)) }
        if let sendHostname = global.logSendHostname { body.line("log-send-hostname", sendHostname) }
        if let tag = global.logTag { body.line("log-tag", tag) }
        if let socket = global.statsSocket {
            body.line(["stats", "socket", socket.path, socket.mode.map { _ in "mode" }, socket.mode.map { String($0, radix: 8) },
                       socket.level.map { _ in "level" }, socket.level, socket.user.map { _ in "user" }, socket.user,
                       socket.group.map { _ in "group" }, socket.group])
        }
        if let timeout = global.statsTimeout { body.line("stats", "timeout", time(timeout)) }
        if let pidfile = global.pidfile { body.line("pidfile", pidfile) }
        if let user = global.user { body.line("user", user) }
        if let group = global.group { body.line("group", group) }
        if let chroot = global.chroot { body.line("chroot", chroot) }
        if let name = global.localPeer { body.line("localpeer", name) }
        if global.daemon { body.line("daemon") }
        if global.tuneBufsize != standard.tuneBufsize { body.line("tune.bufsize", String(global.tuneBufsize)) }
        if global.tuneHTTPMaxhdr != standard.tuneHTTPMaxhdr { body.line("tune.http.maxhdr", String(global.tuneHTTPMaxhdr)) }
        if let bits = global.sslDefaultDHParam { body.line("tune.ssl.default-dh-param", String(bits)) }
        if let base = global.crtBase { body.line("crt-base", base) }
        if let base = global.caBase { body.line("ca-base", base) }
        if let verify = global.sslServerVerify { body.line("ssl-server-verify", verify) }
        if let ciphers = global.sslDefaultBindCiphers { body.line("ssl-default-bind-ciphers", ciphers) }
        if let suites = global.sslDefaultBindCiphersuites { body.line("ssl-default-bind-ciphersuites", suites) }
        if !global.sslDefaultBindOptions.isEmpty { body.line(["ssl-default-bind-options"] + global.sslDefaultBindOptions) }
        if let ciphers = global.sslDefaultServerCiphers { body.line("ssl-default-server-ciphers", ciphers) }
        if let suites = global.sslDefaultServerCiphersuites { body.line("ssl-default-server-ciphersuites", suites) }
        if !global.sslDefaultServerOptions.isEmpty { body.line(["ssl-default-server-options"] + global.sslDefaultServerOptions) }
        if !global.notificationEmail.isEmpty { body.line(["notification_email"] + global.notificationEmail) }
        if let from = global.notificationEmailFrom { body.line("notification_email_from", from) }
        if let server = global.smtpServer { body.line(smtpWords(server)) }
        if let timeout = global.smtpConnectTimeout { body.line("smtp_connect_timeout", seconds(timeout)) }
        if let alert = global.smtpAlert { body.line("smtp_alert", alert ? "on" : "off") }
        if let id = global.routerID { body.line("router_id", id) }
        if let group = global.vrrpMcastGroup4 { body.line("vrrp_mcast_group4", group) }
        if let group = global.vrrpMcastGroup6 { body.line("vrrp_mcast_group6", group) }
        if global.vrrpVersion != standard.vrrpVersion { body.line("vrrp_version", String(global.vrrpVersion)) }
        if global.enableScriptSecurity { body.line("enable_script_security") }
        if let user = global.scriptUser { body.line("script_user", user, global.scriptGroup) }
        if let delay = global.vrrpGarpMasterDelay { body.line("vrrp_garp_master_delay", seconds(delay)) }
        if let count = global.vrrpGarpMasterRepeat { body.line("vrrp_garp_master_repeat", String(count)) }
        guard !body.text.isEmpty else { return }
        writer.section("global")
        writer.append(body)
    }

    /// `smtp_server HOST [PORT]` from the stored `host[:port]` / `[v6]:port`.
    static func smtpWords(_ server: String) -> [String?] {
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            let host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            return ["smtp_server", host, rest.hasPrefix(":") ? String(rest.dropFirst()) : nil]
        }
        let parts = server.split(separator: ":")
        if parts.count == 2 { return ["smtp_server", String(parts[0]), String(parts[1])] }
        return ["smtp_server", server]
    }

    static func logWords(_ target: LogTarget) -> [String?] {
        ["log", target.address, target.length.map { _ in "len" }, target.length.map(String.init), target.format.map { _ in "format" }, target.format,
         target.facility, target.level, target.minimumLevel]
    }

    // MARK: proxies

    static func hostPort(_ host: String?, _ port: Int?) -> String {
        let hostText = host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? ""
        return port.map { "\(hostText):\($0)" } ?? hostText
    }

    static func printTimeouts(_ timeouts: Timeouts, into writer: inout ConfigWriter) {
        for (keyword, keyPath) in Timeouts.keywords {
            if let value = timeouts[keyPath: keyPath] { writer.line("timeout", keyword, time(value)) }
        }
    }

    static func printCommon(mode: ProxyMode, logGlobal: Bool, logTargets: [LogTarget], errorFiles: [Int: String], into writer: inout ConfigWriter) {
        writer.line("mode", mode.rawValue)
        if logGlobal { writer.line("log", "global") }
        for target in logTargets { writer.line(logWords(target)) }
        for code in errorFiles.keys.sorted() { writer.line("errorfile", String(code), errorFiles[code]) }
    }

    static func printForwardFor(_ forwardFor: ForwardFor?, into writer: inout ConfigWriter) {
        guard let forwardFor else { return }
        let standard = ForwardFor()
        writer.line([
            "option", "forwardfor",
            forwardFor.exceptNetwork.map { _ in "except" }, forwardFor.exceptNetwork,
            forwardFor.headerName != standard.headerName ? "header" : nil,
            forwardFor.headerName != standard.headerName ? forwardFor.headerName : nil,
            forwardFor.ifNone ? "if-none" : nil,
        ])
    }

    static func printFrontendBody(_ frontend: Frontend, listen: Bool, into writer: inout ConfigWriter) {
        printCommon(mode: frontend.mode, logGlobal: frontend.logGlobal, logTargets: frontend.logTargets, errorFiles: frontend.errorFiles, into: &writer)
        for bind in frontend.binds {
            writer.line([
                "bind", hostPort(bind.host, bind.port), bind.ssl ? "ssl" : nil,
                bind.certificatePath.map { _ in "crt" }, bind.certificatePath,
                bind.certificateListPath.map { _ in "crt-list" }, bind.certificateListPath,
                bind.verify.map { _ in "verify" }, bind.verify, bind.caFile.map { _ in "ca-file" }, bind.caFile,
                bind.crlFile.map { _ in "crl-file" }, bind.crlFile,
                bind.alpn.isEmpty ? nil : "alpn", bind.alpn.isEmpty ? nil : bind.alpn.joined(separator: ","),
                bind.sslMinVer.map { _ in "ssl-min-ver" }, bind.sslMinVer, bind.sslMaxVer.map { _ in "ssl-max-ver" }, bind.sslMaxVer,
                bind.ciphers.map { _ in "ciphers" }, bind.ciphers, bind.ciphersuites.map { _ in "ciphersuites" }, bind.ciphersuites,
                bind.strictSNI ? "strict-sni" : nil, bind.noTLSTickets ? "no-tls-tickets" : nil,
                bind.ticketKeysFile.map { _ in "tls-ticket-keys" }, bind.ticketKeysFile,
                bind.transparent ? "transparent" : nil, bind.v6only ? "v6only" : nil,
                bind.interface.map { _ in "interface" }, bind.interface, bind.name.map { _ in "name" }, bind.name,
            ])
        }
        if let maxconn = frontend.maxconn { writer.line("maxconn", String(maxconn)) }
        printTimeouts(frontend.timeouts, into: &writer)
        if frontend.httplog { writer.line("option", "httplog", frontend.httplogCLF ? "clf" : nil) }
        if frontend.tcplog { writer.line("option", "tcplog") }
        if frontend.dontlognull { writer.line("option", "dontlognull") }
        printForwardFor(frontend.forwardFor, into: &writer)
        if frontend.connectionMode != .keepAlive { writer.line("option", frontend.connectionMode.rawValue) }
        if frontend.bufferRequest { writer.line("option", "http-buffer-request") }
        printCompression(frontend.compression, into: &writer)
        if let uri = frontend.monitorURI { writer.line("monitor-uri", uri) }
        if let uri = frontend.prometheusURI { writer.line("prometheus-uri", uri) }
        printStats(frontend.stats, into: &writer)
        if let format = frontend.logFormat { writer.line("log-format", format.text) }
        if let tag = frontend.logTag { writer.line("log-tag", tag) }
        if let format = frontend.uniqueIDFormat { writer.line("unique-id-format", format.text) }
        if let name = frontend.uniqueIDHeader { writer.line("unique-id-header", name) }
        for capture in frontend.captures {
            writer.line("capture", capture.direction.rawValue, "header", capture.name, "len", String(capture.length))
        }
        for acl in frontend.acls { writer.line(["acl", acl.name] + aclWords(acl)) }
        for condition in frontend.monitorFail { writer.line(["monitor", "fail"] + conditionWords(condition)) }
        for rule in frontend.httpRequestRules { writer.line(ruleWords(rule)) }
        for rule in frontend.httpResponseRules { writer.line(responseRuleWords(rule, keyword: "http-response")) }
        for rule in frontend.httpAfterResponseRules { writer.line(responseRuleWords(rule, keyword: "http-after-response")) }
        for rule in frontend.useBackends { writer.line(["use_backend", rule.backend] + conditionWords(rule.condition)) }
        if let name = frontend.defaultBackend, !(listen && name == frontend.name) {
            writer.line("default_backend", name)
        }
    }

    static func printBackendBody(_ backend: Backend, listen: Bool, into writer: inout ConfigWriter) {
        if !listen {
            printCommon(mode: backend.mode, logGlobal: backend.logGlobal, logTargets: backend.logTargets, errorFiles: backend.errorFiles, into: &writer)
            if let tag = backend.logTag { writer.line("log-tag", tag) }
            printTimeouts(backend.timeouts, into: &writer)
            printForwardFor(backend.forwardFor, into: &writer)
            if backend.connectionMode != .keepAlive { writer.line("option", backend.connectionMode.rawValue) }
            for acl in backend.acls { writer.line(["acl", acl.name] + aclWords(acl)) }
            for rule in backend.httpRequestRules { writer.line(ruleWords(rule)) }
            for rule in backend.httpResponseRules { writer.line(responseRuleWords(rule, keyword: "http-response")) }
            for rule in backend.httpAfterResponseRules { writer.line(responseRuleWords(rule, keyword: "http-after-response")) }
        }
        switch backend.balance {
        case .urlParam(let name): writer.line("balance", "url_param", name, backend.urlParamCheckPost ? "check_post" : nil)
        case .uri(let key): writer.line((["balance", "uri"] + key.words).map(Optional.some))
        default: writer.line("balance", backend.balance.haproxyName)
        }
        if backend.hashType != .mapBased || backend.hashFunction != nil {
            writer.line("hash-type", backend.hashType.rawValue, backend.hashFunction?.rawValue, backend.hashAvalanche ? "avalanche" : nil)
        }
        if backend.hashBalanceFactor != 0 { writer.line("hash-balance-factor", String(backend.hashBalanceFactor)) }
        if let cookie = backend.cookie {
            var words: [String?] = ["cookie", cookie.name, cookie.mode == .passive ? nil : cookie.mode.rawValue]
            if cookie.indirect { words.append("indirect") }
            if cookie.nocache { words.append("nocache") }
            if cookie.postonly { words.append("postonly") }
            if cookie.preserve { words.append("preserve") }
            if cookie.httponly { words.append("httponly") }
            if cookie.secure { words.append("secure") }
            for domain in cookie.domains { words += ["domain", domain] }
            if let maxidle = cookie.maxidle { words += ["maxidle", time(maxidle)] }
            if let maxlife = cookie.maxlife { words += ["maxlife", time(maxlife)] }
            for attribute in cookie.attributes { words += ["attr", attribute] }
            writer.line(words)
        }
        if let table = backend.stickTable {
            var words: [String?] = ["stick-table", "type", table.type.rawValue]
            if table.type == .string, let length = table.length { words += ["len", String(length)] }
            words += ["size", String(table.size)]
            if let expire = table.expire { words += ["expire", time(expire)] }
            if table.nopurge { words.append("nopurge") }
            if let peers = table.peers { words += ["peers", peers] }
            writer.line(words)
        }
        for rule in backend.stickRules {
            var words: [String?] = ["stick", rule.kind.rawValue, rule.pattern.text]
            if let table = rule.table { words += ["table", table] }
            writer.line(words + conditionWords(rule.condition))
        }
        if let check = backend.healthCheck {
            writer.line("option", "httpchk", check.method, check.uri, check.version)
            for header in check.headers { writer.line("http-check", "send", "hdr", header.name, header.value) }
            if let expect = check.expect {
                writer.line("http-check", "expect", expect.negated ? "!" : nil, expect.match.keyword, expect.match.pattern)
            }
        }
        if backend.retries != 3 { writer.line("retries", String(backend.retries)) }
        if backend.redispatch { writer.line("option", "redispatch") }
        if backend.abortOnClose { writer.line("option", "abortonclose") }
        if backend.pretendKeepAlive { writer.line("option", "http-pretend-keepalive") }
        printStats(backend.stats, into: &writer)
        if !listen {
            if backend.bufferRequest { writer.line("option", "http-buffer-request") }
            printCompression(backend.compression, into: &writer)
        }
        if backend.httpReuse != .safe { writer.line("http-reuse", backend.httpReuse.rawValue) }
        if let fullconn = backend.fullconn { writer.line("fullconn", String(fullconn)) }
        for server in backend.servers { writer.line(serverWords(server)) }
    }

    /// `stats ...` lines; `stats enable` alone when everything else is HAProxy's default.
    static func printStats(_ stats: StatsPage?, into writer: inout ConfigWriter) {
        guard let stats else { return }
        writer.line("stats", "enable")
        if stats.uri != StatsPage.defaultURI { writer.line("stats", "uri", stats.uri) }
        if stats.realm != StatsPage.defaultRealm { writer.line("stats", "realm", stats.realm) }
        for credential in stats.credentials { writer.line("stats", "auth", "\(credential.user):\(credential.password)") }
        if let refresh = stats.refresh { writer.line("stats", "refresh", time(refresh)) }
        if stats.hideVersion { writer.line("stats", "hide-version") }
        for condition in stats.adminConditions { writer.line(["stats", "admin"] + conditionWords(condition)) }
    }

    static func printCompression(_ compression: HTTPCompression?, into writer: inout ConfigWriter) {
        guard let compression else { return }
        if !compression.algorithms.isEmpty { writer.line((["compression", "algo"] + compression.algorithms.map(\.rawValue)).map(Optional.some)) }
        if !compression.types.isEmpty { writer.line((["compression", "type"] + compression.types).map(Optional.some)) }
        if compression.offload { writer.line("compression", "offload") }
    }

    static func serverWords(_ server: Server) -> [String?] {
        let standard = Server(name: "", host: "")
        var words: [String?] = ["server", server.name, hostPort(server.host, server.port)]
        if server.weight != standard.weight { words += ["weight", String(server.weight)] }
        if let maxconn = server.maxconn { words += ["maxconn", String(maxconn)] }
        if server.check { words.append("check") }
        if server.inter != standard.inter { words += ["inter", time(server.inter)] }
        if let value = server.fastinter { words += ["fastinter", time(value)] }
        if let value = server.downinter { words += ["downinter", time(value)] }
        if server.rise != standard.rise { words += ["rise", String(server.rise)] }
        if server.fall != standard.fall { words += ["fall", String(server.fall)] }
        if server.backup { words.append("backup") }
        if server.disabled { words.append("disabled") }
        if let cookie = server.cookie { words += ["cookie", cookie] }
        if let value = server.slowstart { words += ["slowstart", time(value)] }
        if server.observeLayer7 { words += ["observe", "layer7"] }
        if let port = server.checkPort { words += ["port", String(port)] }
        if let address = server.checkAddress { words += ["addr", address] }
        if server.ssl { words.append("ssl") }
        if let verify = server.verify { words += ["verify", verify] }
        if server.sendProxy { words.append("send-proxy") }
        if server.checkSSL { words.append("check-ssl") }
        if let path = server.caFile { words += ["ca-file", path] }
        if let path = server.crt { words += ["crt", path] }
        if let ciphers = server.ciphers { words += ["ciphers", ciphers] }
        if let suites = server.ciphersuites { words += ["ciphersuites", suites] }
        if let path = server.crlFile { words += ["crl-file", path] }
        if let expression = server.sni { words += ["sni", expression] }
        if !server.alpn.isEmpty { words += ["alpn", server.alpn.joined(separator: ",")] }
        if let name = server.verifyhost { words += ["verifyhost", name] }
        if let name = server.checkSNI { words += ["check-sni", name] }
        return words
    }

    static func aclWords(_ acl: ACL) -> [String?] {
        var words: [String?] = [acl.criterion.haproxyName]
        if let method = acl.criterion.matchMethod { words += ["-m", method] }
        if acl.caseInsensitive { words.append("-i") }
        // A first pattern starting with '-' would read as a flag.
        if acl.values.first?.hasPrefix("-") == true { words.append("--") }
        return words + acl.values
    }

    static func conditionWords(_ condition: Condition?) -> [String?] {
        guard let condition else { return [] }
        var words: [String?] = [condition.kind.rawValue]
        for (index, terms) in condition.alternatives.enumerated() {
            if index > 0 { words.append("||") }
            for term in terms {
                switch term.acl {
                case .named(let name):
                    words.append((term.negated ? "!" : "") + name)
                case .anonymous(let acl):
                    words.append(term.negated ? "!{" : "{")
                    words += aclWords(acl)
                    words.append("}")
                }
            }
        }
        return words
    }

    static func responseRuleWords(_ rule: HTTPResponseRule, keyword: String) -> [String?] {
        var words: [String?] = [keyword]
        switch rule.action {
        case .setHeader(let name, let value): words += ["set-header", name, value.text]
        case .addHeader(let name, let value): words += ["add-header", name, value.text]
        case .delHeader(let name): words += ["del-header", name]
        case .replaceHeader(let name, let regex, let format): words += ["replace-header", name, regex, format.text]
        case .replaceValue(let name, let regex, let format): words += ["replace-value", name, regex, format.text]
        case .setStatus(let status, let reason): words += ["set-status", String(status), reason == nil ? nil : "reason", reason]
        case .deny(let status): words += ["deny", status == 502 ? nil : "deny_status", status == 502 ? nil : String(status)]
        }
        return words + conditionWords(rule.condition)
    }

    static func ruleWords(_ rule: HTTPRequestRule) -> [String?] {
        var words: [String?] = rule.isRedirectKeyword ? [] : ["http-request"]
        switch rule.action {
        case .redirect(let kind, let value, let code, let options):
            words += ["redirect", kind.rawValue, value.text, code == 302 ? nil : "code", code == 302 ? nil : String(code)]
            if options.dropQuery { words.append("drop-query") }
            if options.appendSlash { words.append("append-slash") }
            if let cookie = options.setCookie { words += ["set-cookie", cookie] }
            if let cookie = options.clearCookie { words += ["clear-cookie", cookie] }
        case .deny(let status):
            words += ["deny", status == 403 ? nil : "deny_status", status == 403 ? nil : String(status)]
        case .setHeader(let name, let value):
            words += ["set-header", name, value.text]
        case .addHeader(let name, let value):
            words += ["add-header", name, value.text]
        case .delHeader(let name):
            words += ["del-header", name]
        case .returnResponse(let answer):
            words += ["return", "status", String(answer.status)]
            if let type = answer.contentType { words += ["content-type", type] }
            switch answer.body {
            case .none: break
            case .string(let text): words += ["string", text]
            case .logFormat(let format): words += ["lf-string", format.text]
            case .file(let path): words += ["file", path]
            }
            for header in answer.headers { words += ["hdr", header.name, header.value.text] }
        case .allow:
            words.append("allow")
        case .setPath(let format):
            words += ["set-path", format.text]
        case .setQuery(let format):
            words += ["set-query", format.text]
        case .replacePath(let regex, let format):
            words += ["replace-path", regex, format.text]
        case .replaceHeader(let name, let regex, let format):
            words += ["replace-header", name, regex, format.text]
        case .replaceValue(let name, let regex, let format):
            words += ["replace-value", name, regex, format.text]
        case .setVariable(let variable, let expression):
            words += ["set-var(\(variable))", expression.text]
        case .tarpit(let status):
            words += ["tarpit", status == 500 ? nil : "deny_status", status == 500 ? nil : String(status)]
        case .useService(let name):
            words += ["use-service", name]
        }
        return words + conditionWords(rule.condition)
    }
}

extension ConfigWriter {
    mutating func append(_ other: ConfigWriter) {
        appendRaw(other.text)
    }
}
