import HACore

/// Maps keepalived's LVS `virtual_server IP PORT { ... real_server IP PORT { ... } }` to a
/// `listen` section in `mode tcp`: hactl proxies the connections itself instead of asking the
/// kernel's IPVS to forward them, so only NAT mode (`lb_kind NAT`, the default) has an
/// equivalent; DR and TUN are refused.
///
/// Mapping: `lb_algo` rr/wrr → roundrobin, lc/wlc → leastconn, sh → source;
/// `persistence_timeout` → `balance source`; `weight` → server weight; `TCP_CHECK` → `check`
/// (`connect_port` → `port`, `connect_timeout` → `timeout check`, `delay_loop` → `inter`);
/// `HTTP_GET`/`SSL_GET` `url { path; status_code }` → `option httpchk GET path` with
/// `http-check expect status`. Client and server timeouts are 15 minutes, IPVS's default for
/// established TCP connections.
struct VirtualServerImporter {
    let diagnostics: Diagnostics

    static let keywords = ["delay_loop", "lb_algo", "lvs_sched", "lb_kind", "lvs_method", "persistence_timeout", "protocol", "real_server"]

    func importSection(_ section: SectionSource) -> (Frontend, Backend)? {
        let header = section.header
        var arguments = ArgumentReader(header, diagnostics: diagnostics)
        guard let addressWord = arguments.require("a virtual address and port, as in 'virtual_server 198.18.0.1 80'") else { return nil }
        if addressWord.text == "fwmark" || addressWord.text == "group" {
            diagnostics.error(at: header.location, keyword: "virtual_server \(addressWord.text)",
                              UnsupportedKeywords.message("virtual_server \(addressWord.text)", origin: .keepalived, reason: "hactl listens on an address and port"))
            return nil
        }
        guard IPAddressFamily.of(addressWord.text) != nil else {
            diagnostics.error(at: arguments.location(of: addressWord), keyword: "virtual_server", "expected an IP address, got '\(addressWord.text)'")
            return nil
        }
        guard let portWord = arguments.require("a port"), let port = arguments.port(portWord) else { return nil }
        arguments.expectEnd("'{'")

        let name = "vs_\(addressWord.text)_\(port)"
        var backend = Backend(name: name, location: header.location, isListen: true, mode: .tcp)
        backend.timeouts = Timeouts(connect: .seconds(5), client: .seconds(900), server: .seconds(900))
        var delayLoop = Duration.seconds(60)
        var persistence = false
        var failed = false
        var realServers: [Statement] = []

        for statement in section.body {
            var reader = ArgumentReader(statement, diagnostics: diagnostics)
            let keyword = statement.keyword.text
            if keyword != "real_server", Self.keywords.contains(keyword), statement.block != nil {
                diagnostics.error(at: statement.location, keyword: keyword, "takes no '{ }' block")
                failed = true
                continue
            }
            switch keyword {
            case "delay_loop":
                if let value = reader.duration("a check interval", bare: .seconds) { delayLoop = value } else { failed = true }
            case "lb_algo", "lvs_sched":
                guard let word = reader.require("a scheduler such as rr, wrr, lc, wlc or sh") else { failed = true; continue }
                switch word.text {
                case "rr", "wrr": backend.balance = .roundRobin
                case "lc", "wlc": backend.balance = .leastConn
                case "sh": backend.balance = .source
                default:
                    diagnostics.error(at: reader.location(of: word), keyword: keyword,
                                      UnsupportedKeywords.message("\(keyword) \(word.text)", origin: .keepalived, reason: "hactl maps rr, wrr, lc, wlc and sh"))
                    failed = true
                }
            case "lb_kind", "lvs_method":
                guard let word = reader.require("NAT") else { failed = true; continue }
                switch word.text.uppercased() {
                case "NAT":
                    break
                case "DR", "TUN":
                    diagnostics.error(at: statement.location, keyword: "\(keyword) \(word.text)",
                                      "`\(keyword) \(word.text)` needs the kernel's IPVS \(word.text.uppercased() == "DR" ? "direct routing" : "tunnelling"), which hactl does not use: hactl proxies each connection itself. Use 'lb_kind NAT' to import this virtual_server as a 'listen' section in mode tcp")
                    failed = true
                default:
                    diagnostics.error(at: reader.location(of: word), keyword: keyword, "expected NAT, DR or TUN, got '\(word.text)'")
                    failed = true
                }
            case "persistence_timeout":
                if reader.duration("a persistence time", bare: .seconds) != nil { persistence = true } else { failed = true }
            case "protocol":
                guard let word = reader.require("TCP") else { failed = true; continue }
                if word.text.uppercased() != "TCP" {
                    diagnostics.error(at: reader.location(of: word), keyword: "protocol",
                                      UnsupportedKeywords.message("protocol \(word.text)", origin: .keepalived, reason: "hactl proxies TCP"))
                    failed = true
                }
            case "real_server":
                realServers.append(statement)
                continue
            default:
                if let reason = UnsupportedKeywords.keepalivedVirtualServer[keyword] {
                    diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .keepalived, reason: reason))
                } else {
                    diagnostics.unknownKeyword(statement.keyword, in: statement, section: "virtual_server", candidates: Self.keywords)
                }
                failed = true
                continue
            }
            reader.expectEnd()
        }
        if persistence { backend.balance = .source }

        var checkTimeouts: [(Duration, SourceLocation)] = []
        var httpChecks: [(HTTPCheck, SourceLocation)] = []
        for statement in realServers {
            guard let imported = importRealServer(statement, delayLoop: delayLoop) else { failed = true; continue }
            backend.servers.append(imported.server)
            if let timeout = imported.checkTimeout { checkTimeouts.append((timeout, statement.location)) }
            if let check = imported.httpCheck { httpChecks.append((check, statement.location)) }
        }
        if let first = checkTimeouts.first {
            if let different = checkTimeouts.first(where: { $0.0 != first.0 }) {
                diagnostics.error(at: different.1, keyword: "connect_timeout",
                                  "every real_server of a virtual_server needs the same connect_timeout in hactl (one 'timeout check' per backend)")
                failed = true
            }
            backend.timeouts.check = first.0
        }
        if let first = httpChecks.first {
            if let different = httpChecks.first(where: { $0.0 != first.0 }) {
                diagnostics.error(at: different.1, keyword: "HTTP_GET",
                                  "every real_server of a virtual_server needs the same HTTP_GET url in hactl (one 'option httpchk' per backend)")
                failed = true
            }
            backend.healthCheck = first.0
        }
        if backend.servers.isEmpty, !failed {
            diagnostics.error(at: header.location, keyword: "virtual_server", "virtual_server \(addressWord.text) \(port) has no real_server")
            failed = true
        }
        guard !failed else { return nil }
        let frontend = Frontend(
            name: name, location: header.location, isListen: true, mode: .tcp,
            binds: [Bind(host: addressWord.text, port: port, location: header.location)],
            timeouts: backend.timeouts, defaultBackend: name
        )
        return (frontend, backend)
    }

    private struct ImportedServer {
        var server: Server
        var checkTimeout: Duration?
        var httpCheck: HTTPCheck?
    }

    private func importRealServer(_ statement: Statement, delayLoop: Duration) -> ImportedServer? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let addressWord = arguments.require("a real server address and port") else { return nil }
        guard IPAddressFamily.of(addressWord.text) != nil else {
            diagnostics.error(at: arguments.location(of: addressWord), keyword: "real_server", "expected an IP address, got '\(addressWord.text)'")
            return nil
        }
        guard let portWord = arguments.require("a port"), let port = arguments.port(portWord) else { return nil }
        arguments.expectEnd("'{'")
        var imported = ImportedServer(server: Server(
            name: "rs_\(addressWord.text)_\(port)", location: statement.location, host: addressWord.text, port: port,
            inter: delayLoop, rise: 1, fall: 1
        ))
        var ok = true
        for child in statement.block ?? [] {
            var reader = ArgumentReader(child, diagnostics: diagnostics)
            switch child.keyword.text {
            case "weight":
                if let weight = reader.integer("a weight", in: 0...256) { imported.server.weight = weight } else { ok = false }
                reader.expectEnd()
            case "TCP_CHECK", "HTTP_GET", "SSL_GET":
                ok = importCheck(child, into: &imported) && ok
            case "MISC_CHECK", "SMTP_CHECK", "DNS_CHECK", "BFD_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK":
                diagnostics.error(at: child.location, keyword: child.keyword.text,
                                  UnsupportedKeywords.message(child.keyword.text, origin: .keepalived, reason: "hactl checks with TCP_CHECK or HTTP_GET"))
                ok = false
            case "inhibit_on_failure", "notify_up", "notify_down", "uthreshold", "lthreshold", "smtp_alert", "delay_before_retry", "retry", "warmup":
                diagnostics.error(at: child.location, keyword: child.keyword.text, UnsupportedKeywords.message(child.keyword.text, origin: .keepalived))
                ok = false
            default:
                diagnostics.unknownKeyword(child.keyword, in: child, section: "real_server", candidates: ["weight", "TCP_CHECK", "HTTP_GET", "SSL_GET"])
                ok = false
            }
        }
        return ok ? imported : nil
    }

    private func importCheck(_ statement: Statement, into imported: inout ImportedServer) -> Bool {
        imported.server.check = true
        var ok = true
        var urls: [Statement] = []
        if statement.keyword.text == "SSL_GET" { imported.server.checkSSL = true }
        for child in statement.block ?? [] {
            var reader = ArgumentReader(child, diagnostics: diagnostics)
            switch child.keyword.text {
            case "connect_timeout":
                if let value = reader.duration("a timeout", bare: .seconds) { imported.checkTimeout = value } else { ok = false }
            case "connect_port":
                if let word = reader.require("a port"), let port = reader.port(word) {
                    if port != imported.server.port { imported.server.checkPort = port }
                } else { ok = false }
            case "connect_ip":
                if let word = reader.require("an IP address"), IPAddressFamily.of(word.text) != nil {
                    imported.server.checkAddress = word.text
                } else { ok = false }
            case "retry", "nb_get_retry":
                if let value = reader.integer("a retry count", in: 1...1000) { imported.server.fall = value } else { ok = false }
            case "delay_before_retry":
                if let value = reader.duration("a delay", bare: .seconds) { imported.server.fastinter = value } else { ok = false }
            case "url" where statement.keyword.text != "TCP_CHECK":
                urls.append(child)
                continue
            default:
                diagnostics.unknownKeyword(child.keyword, in: child, section: statement.keyword.text,
                                           candidates: ["connect_timeout", "connect_port", "connect_ip", "retry", "delay_before_retry"] + (statement.keyword.text == "TCP_CHECK" ? [] : ["url"]))
                ok = false
                continue
            }
            reader.expectEnd()
        }
        if statement.keyword.text != "TCP_CHECK" {
            guard urls.count == 1 else {
                diagnostics.error(at: statement.location, keyword: statement.keyword.text,
                                  urls.isEmpty ? "expected a 'url { path ...; status_code ... }' block" : "hactl checks one url per real_server; found \(urls.count)")
                return false
            }
            var check = HTTPCheck(method: "GET", uri: "/", version: "HTTP/1.0", location: urls[0].location)
            for line in urls[0].block ?? [] {
                var reader = ArgumentReader(line, diagnostics: diagnostics)
                switch line.keyword.text {
                case "path":
                    if let path = reader.require("a URL path") { check.uri = path.text } else { ok = false }
                case "status_code":
                    if let code = reader.integer("an HTTP status", in: 100...599) {
                        check.expect = HTTPCheckExpectation(match: .status(String(code)))
                    } else { ok = false }
                case "digest", "regex", "regex_no_match", "virtualhost":
                    diagnostics.error(at: line.location, keyword: line.keyword.text, UnsupportedKeywords.message("url { \(line.keyword.text) }", origin: .keepalived))
                    ok = false
                    continue
                default:
                    diagnostics.unknownKeyword(line.keyword, in: line, section: "url", candidates: ["path", "status_code"])
                    ok = false
                    continue
                }
                reader.expectEnd()
            }
            imported.httpCheck = check
        }
        return ok
    }
}
