import HACore

/// Parses the keyword lines of HAProxy's proxy sections (`defaults`, `frontend`, `backend`,
/// `listen`) into a `ProxyDraft`, with HAProxy's keyword meanings and defaults.
struct ProxySectionParser {
    let diagnostics: Diagnostics
    let kind: ProxyDraft.Kind
    /// `crt-base` from `global`, for relative certificate paths.
    let crtBase: String?
    /// The section's name, for messages.
    var name: String = ""
    /// `ca-base` from `global`, for relative `ca-file` paths.
    var caBase: String? = nil

    /// Which sections accept a keyword: defaults, frontend side, backend side.
    struct Capability {
        var defaults: Bool
        var frontend: Bool
        var backend: Bool
    }

    static let capabilities: [String: Capability] = [
        "mode": .init(defaults: true, frontend: true, backend: true),
        "bind": .init(defaults: false, frontend: true, backend: false),
        "maxconn": .init(defaults: true, frontend: true, backend: false),
        "timeout": .init(defaults: true, frontend: true, backend: true),
        "option": .init(defaults: true, frontend: true, backend: true),
        "no": .init(defaults: true, frontend: true, backend: true),
        "acl": .init(defaults: false, frontend: true, backend: true),
        "use_backend": .init(defaults: false, frontend: true, backend: false),
        "default_backend": .init(defaults: true, frontend: true, backend: false),
        "http-request": .init(defaults: false, frontend: true, backend: true),
        "redirect": .init(defaults: false, frontend: true, backend: true),
        "http-response": .init(defaults: false, frontend: true, backend: true),
        "http-after-response": .init(defaults: false, frontend: true, backend: true),
        "log": .init(defaults: true, frontend: true, backend: true),
        "log-format": .init(defaults: true, frontend: true, backend: false),
        "log-tag": .init(defaults: true, frontend: true, backend: true),
        "unique-id-format": .init(defaults: true, frontend: true, backend: false),
        "unique-id-header": .init(defaults: true, frontend: true, backend: false),
        "errorfile": .init(defaults: true, frontend: true, backend: true),
        "monitor-uri": .init(defaults: true, frontend: true, backend: false),
        "monitor": .init(defaults: false, frontend: true, backend: false),
        "stats": .init(defaults: true, frontend: true, backend: true),
        "prometheus-uri": .init(defaults: false, frontend: true, backend: false),
        "capture": .init(defaults: false, frontend: true, backend: false),
        "balance": .init(defaults: true, frontend: false, backend: true),
        "hash-type": .init(defaults: true, frontend: false, backend: true),
        "hash-balance-factor": .init(defaults: true, frontend: false, backend: true),
        "server": .init(defaults: false, frontend: false, backend: true),
        "default-server": .init(defaults: true, frontend: false, backend: true),
        "cookie": .init(defaults: true, frontend: false, backend: true),
        "http-check": .init(defaults: true, frontend: false, backend: true),
        "retries": .init(defaults: true, frontend: false, backend: true),
        "http-reuse": .init(defaults: true, frontend: false, backend: true),
        "fullconn": .init(defaults: true, frontend: false, backend: true),
        "compression": .init(defaults: true, frontend: true, backend: true),
        "stick-table": .init(defaults: false, frontend: false, backend: true),
        "stick": .init(defaults: false, frontend: false, backend: true),
    ]

    private func isAllowed(_ capability: Capability) -> Bool {
        switch kind {
        case .defaults: capability.defaults
        case .frontend: capability.frontend
        case .backend: capability.backend
        case .listen: capability.frontend || capability.backend
        }
    }

    private var allowedKeywords: [String] {
        Self.capabilities.filter { isAllowed($0.value) }.map(\.key).sorted()
    }

    func parse(_ statements: [Statement], into draft: inout ProxyDraft) {
        for statement in statements {
            parse(statement, into: &draft)
        }
        finish(&draft)
    }

    private func parse(_ statement: Statement, into draft: inout ProxyDraft) {
        let keyword = statement.keyword.text
        guard let capability = Self.capabilities[keyword] else {
            if let reason = UnsupportedKeywords.haproxyProxy[keyword] {
                diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(keyword, origin: .haproxy, reason: reason))
            } else {
                diagnostics.unknownKeyword(statement.keyword, in: statement, section: kind.rawValue, candidates: allowedKeywords)
            }
            return
        }
        if keyword == "stick-table", kind == .frontend {
            diagnostics.error(at: statement.location, keyword: keyword, UnsupportedKeywords.message(
                "stick-table in a frontend", origin: .haproxy,
                reason: "a frontend's table only serves track-sc counters; hactl's stick tables hold persistence in a backend or listen section"))
            return
        }
        guard isAllowed(capability) else {
            let places = [capability.defaults ? "defaults" : nil, capability.frontend ? "frontend" : nil, capability.backend ? "backend" : nil, "listen"]
                .compactMap { $0 }.joined(separator: ", ")
            diagnostics.error(at: statement.location, keyword: keyword, "not allowed in a '\(kind.rawValue)' section (allowed in: \(places))")
            return
        }
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        switch keyword {
        case "mode":
            guard let word = arguments.require("'http' or 'tcp'") else { return }
            if let mode = ProxyMode(rawValue: word.text) {
                draft.mode = mode
            } else if word.text == "health" {
                diagnostics.error(at: arguments.location(of: word), keyword: "mode", UnsupportedKeywords.message("mode health", origin: .haproxy, reason: "removed from HAProxy 2.0"))
            } else {
                diagnostics.error(at: arguments.location(of: word), keyword: "mode", "expected 'http' or 'tcp', got '\(word.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: ["http", "tcp"]))
            }
        case "bind":
            draft.binds += parseBind(statement)
            return
        case "maxconn":
            draft.maxconn = arguments.integer("a connection count", in: 1...10_000_000)
        case "timeout":
            parseTimeout(statement, into: &draft.timeouts)
            return
        case "option":
            parseOption(statement, negated: false, into: &draft)
            return
        case "no":
            parseNo(statement, into: &draft)
            return
        case "acl":
            if let acl = parseNamedACL(statement) {
                draft.acls.append(acl)
            } else if statement.words.count > 1 {
                draft.failedACLNames.insert(statement.words[1].text)
            }
            return
        case "use_backend":
            if let rule = parseUseBackend(statement) { draft.useBackends.append(rule) }
            return
        case "default_backend":
            if let word = arguments.require("a backend name") {
                if checkName(word, in: statement, what: "backend") {
                    draft.defaultBackend = word.text
                    draft.ownDefaultBackend = word.text
                    draft.defaultBackendLocation = statement.location
                }
            }
        case "http-request":
            if let rule = parseHTTPRequest(statement) {
                if let redirect = draft.firstRedirectLocation {
                    diagnostics.warning(at: statement.location, keyword: "http-request",
                                        "this rule is evaluated before the 'redirect' at line \(redirect.line): every 'http-request' rule runs before any 'redirect' rule, as in HAProxy; move it above to make the order plain")
                }
                draft.httpRequestRules.insert(rule, at: draft.httpRequestLineCount)
                draft.httpRequestLineCount += 1
            }
            return
        case "http-response", "http-after-response":
            if let rule = parseHTTPResponse(statement, after: statement.keyword.text == "http-after-response") {
                if statement.keyword.text == "http-response" {
                    draft.httpResponseRules.append(rule)
                } else {
                    draft.httpAfterResponseRules.append(rule)
                }
            }
            return
        case "redirect":
            if var rule = parseRedirect(statement, skipping: 1, keyword: "redirect") {
                rule.isRedirectKeyword = true
                draft.httpRequestRules.append(rule)
                if draft.firstRedirectLocation == nil { draft.firstRedirectLocation = statement.location }
            }
            return
        case "log":
            if arguments.peek?.text == "global" {
                _ = arguments.next()
                draft.logGlobal = true
            } else {
                if let target = LogLineParser(diagnostics: diagnostics).parse(statement) { draft.logTargets.append(target) }
                return
            }
        case "errorfile":
            guard let code = arguments.integer("an HTTP status code", in: 200...599) else { return }
            guard [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504].contains(code) else {
                diagnostics.error(at: statement.location(of: statement.words[1]), keyword: "errorfile",
                                  "HAProxy produces no status \(code) itself; expected one of 200 400 401 403 404 405 407 408 410 413 425 429 500 501 502 503 504")
                return
            }
            if let path = arguments.require("a file path") { draft.errorFiles[code] = path.text }
        case "log-tag":
            // The tag of the frontend's request logs and of the backend's server UP/DOWN lines.
            draft.logTag = arguments.require("a tag such as hactl")?.text
        case "log-format", "unique-id-format":
            guard let value = arguments.require("a log-format string (quote it or escape its spaces)") else { return }
            if let extra = arguments.peek {
                diagnostics.error(at: arguments.location(of: extra), keyword: keyword, "\(keyword) takes one argument, as in HAProxy: quote the string or escape its spaces ('\\ ')")
                return
            }
            var parser = LogFormatParser(what: keyword, backendKnown: keyword == "log-format") { offset in
                SourceLocation(file: statement.file, line: value.line, column: value.column(atOffset: offset))
            }
            parser.forLog = keyword == "log-format"
            do {
                let format = try parser.parse(value.text)
                if keyword == "log-format" { draft.logFormat = format } else { draft.uniqueIDFormat = format }
            } catch {
                diagnostics.error(at: SourceLocation(file: statement.file, line: value.line, column: value.column(atOffset: error.offset)),
                                  keyword: keyword, error.message, suggestion: error.suggestion)
            }
            return
        case "unique-id-header":
            guard let name = arguments.require("a header name") else { return }
            guard isHeaderName(name.text) else {
                diagnostics.error(at: arguments.location(of: name), keyword: keyword, "expected a header name (letters, digits, '-'), got '\(name.text)'")
                return
            }
            draft.uniqueIDHeader = name.text
        case "monitor-uri":
            // HAProxy: the last one wins.
            guard let uri = arguments.require("a URI such as /haproxy_test") else { return }
            draft.monitorURI = uri.text
        case "stats":
            parseStats(statement, into: &draft)
            return
        case "prometheus-uri":
            guard let uri = arguments.require("a path such as /metrics") else { return }
            guard uri.text.hasPrefix("/") else {
                diagnostics.error(at: arguments.location(of: uri), keyword: keyword, "expected a path starting with '/', got '\(uri.text)'")
                return
            }
            draft.prometheusURI = uri.text
        case "monitor":
            guard let what = arguments.require("'fail'") else { return }
            guard what.text == "fail" else {
                diagnostics.error(at: arguments.location(of: what), keyword: "monitor", "expected 'fail', got '\(what.text)'")
                return
            }
            let (condition, ok) = parseCondition(statement, from: 2, keyword: "monitor fail")
            guard ok else { return }
            guard let condition else {
                diagnostics.error(at: statement.endLocation, keyword: "monitor fail", "expected 'if' or 'unless' and a condition")
                return
            }
            draft.monitorFail.append(condition)
            return
        case "capture":
            if let capture = parseCapture(&arguments, statement: statement) { draft.captures.append(capture) }
            return
        case "balance":
            parseBalance(statement, into: &draft)
            return
        case "hash-type":
            parseHashType(statement, into: &draft)
            return
        case "hash-balance-factor":
            // HAProxy: 0 disables it; otherwise a percentage above 100.
            guard let word = arguments.require("0 or a percentage above 100") else { return }
            guard let factor = Int(word.text), factor == 0 || (101...100_000).contains(factor) else {
                diagnostics.error(at: arguments.location(of: word), keyword: "hash-balance-factor", "expected 0 or a percentage above 100 (such as 150), got '\(word.text)'")
                return
            }
            draft.hashBalanceFactor = factor
        case "server":
            if let server = parseServer(statement, template: draft.defaultServer) { draft.servers.append(server) }
            return
        case "default-server":
            var template = draft.defaultServer
            parseServerOptions(statement, from: 1, into: &template)
            draft.defaultServer = template
            return
        case "cookie":
            draft.cookie = parseCookie(statement)
            return
        case "http-check":
            parseHTTPCheck(statement, into: &draft)
            return
        case "retries":
            if let retries = arguments.integer("a retry count", in: 0...1000) { draft.retries = retries }
        case "http-reuse":
            guard let word = arguments.require("'never', 'safe', 'aggressive' or 'always'") else { return }
            guard let reuse = HTTPReuse(rawValue: word.text) else {
                diagnostics.error(at: arguments.location(of: word), keyword: "http-reuse", "expected 'never', 'safe', 'aggressive' or 'always', got '\(word.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: HTTPReuse.allCases.map(\.rawValue)))
                return
            }
            draft.httpReuse = reuse
        case "fullconn":
            draft.fullconn = arguments.integer("a connection count", in: 1...10_000_000)
        case "compression":
            parseCompression(statement, into: &draft)
            return
        case "stick-table":
            if draft.stickTable != nil {
                diagnostics.error(at: statement.location, keyword: keyword, "a section holds one stick-table; this one has one already")
                return
            }
            // A refused line (already reported) still declares a table: `stick` rules naming it are
            // not reported a second time.
            draft.stickTable = parseStickTable(statement) ?? StickTable(name: name, type: .string, size: 1, location: statement.location)
            return
        case "stick":
            if let rule = parseStickRule(statement) { draft.stickRules.append(rule) }
            return
        default:
            return
        }
        arguments.expectEnd()
    }

    /// Checks a proxy or server name against HAProxy's character set.
    func checkName(_ word: Word, in statement: Statement, what: String) -> Bool {
        guard !word.text.isEmpty, word.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            diagnostics.error(at: statement.location(of: word), keyword: statement.keyword.text,
                              "a \(what) name may hold only letters, digits, '-', '_', '.' and ':', got '\(word.text)'")
            return false
        }
        return true
    }

    private func parseTimeout(_ statement: Statement, into timeouts: inout Timeouts) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        let names = Timeouts.keywords.map(\.keyword)
        guard let name = arguments.require("a timeout name (\(names.joined(separator: ", ")))") else { return }
        guard let keyPath = Timeouts.keywords.first(where: { $0.keyword == name.text })?.keyPath else {
            if ["http-request-body"].contains(name.text) {
                diagnostics.error(at: arguments.location(of: name), keyword: "timeout \(name.text)", UnsupportedKeywords.message("timeout \(name.text)", origin: .haproxy))
            } else {
                diagnostics.error(at: arguments.location(of: name), keyword: "timeout", "unknown timeout '\(name.text)': expected one of \(names.joined(separator: ", "))",
                                  suggestion: KeywordSuggestion.nearest(to: name.text, in: names))
            }
            return
        }
        arguments.keyword = "timeout \(name.text)"
        if let value = arguments.duration("a duration", bare: .milliseconds) {
            timeouts[keyPath: keyPath] = value
        }
        arguments.expectEnd()
    }

    private func parseBalance(_ statement: Statement, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        let names = ["roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr(NAME)", "random"]
        guard let word = arguments.require("a balance algorithm (\(names.joined(separator: ", ")))") else { return }
        switch word.text {
        case "roundrobin": draft.balance = .roundRobin
        case "static-rr": draft.balance = .staticRoundRobin
        case "leastconn": draft.balance = .leastConn
        case "first": draft.balance = .first
        case "source": draft.balance = .source
        case "uri":
            guard let key = parseURIHashKey(&arguments) else { return }
            draft.balance = .uri(key)
        case "url_param":
            guard let name = arguments.require("a query parameter name") else { return }
            draft.balance = .urlParam(name.text)
            draft.urlParamCheckPost = false
            if let option = arguments.peek, option.text == "check_post" {
                _ = arguments.next()
                draft.urlParamCheckPost = true
                // HAProxy still reads the former <max_wait> argument and ignores it.
                if let wait = arguments.peek, Int(wait.text) != nil {
                    _ = arguments.next()
                    diagnostics.warning(at: arguments.location(of: wait), keyword: "balance url_param",
                                        "the <max_wait> argument of 'check_post' is ignored, as in HAProxy: the body is read up to tune.bufsize")
                }
            }
        case "random":
            draft.balance = .random(draws: 2)
            if let extra = arguments.peek {
                // HAProxy 2.6 ignores words after `random`; the number of draws is written `random(N)`.
                diagnostics.error(at: arguments.location(of: extra), keyword: "balance random", "unexpected '\(extra.text)': the number of draws is written 'random(N)'")
                return
            }
        default:
            if word.text.hasPrefix("hdr("), word.text.hasSuffix(")"), word.text.count > 5 {
                draft.balance = .header(String(word.text.dropFirst(4).dropLast()))
            } else if word.text.hasPrefix("random(") {
                guard word.text.hasSuffix(")"), let draws = Int(word.text.dropFirst(7).dropLast()), draws >= 1 else {
                    diagnostics.error(at: arguments.location(of: word), keyword: "balance", "expected 'random(N)' with N draws, a whole number of at least 1, got '\(word.text)'")
                    return
                }
                draft.balance = .random(draws: draws)
            } else if ["rdp-cookie", "hash"].contains(where: { word.text.hasPrefix($0) }) {
                diagnostics.error(at: arguments.location(of: word), keyword: "balance", UnsupportedKeywords.message("balance \(word.text)", origin: .haproxy))
                return
            } else {
                diagnostics.error(at: arguments.location(of: word), keyword: "balance", "unknown algorithm '\(word.text)': expected one of \(names.joined(separator: ", "))",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: names.dropLast(2) + ["random", "url_param"]))
                return
            }
        }
        arguments.expectEnd()
    }

    /// `capture request|response header NAME len N` (`capture cookie` is refused).
    private func parseCapture(_ arguments: inout ArgumentReader, statement: Statement) -> HeaderCapture? {
        guard let what = arguments.require("'request header', 'response header' or 'cookie'") else { return nil }
        if what.text == "cookie" {
            diagnostics.error(at: arguments.location(of: what), keyword: "capture cookie", UnsupportedKeywords.message(
                "capture cookie", origin: .haproxy, reason: "capture the Cookie or Set-Cookie header with 'capture request|response header'"))
            return nil
        }
        guard let direction = HeaderCapture.Direction(rawValue: what.text) else {
            diagnostics.error(at: arguments.location(of: what), keyword: "capture", "expected 'request header', 'response header' or 'cookie', got '\(what.text)'",
                              suggestion: KeywordSuggestion.nearest(to: what.text, in: ["request", "response", "cookie"]))
            return nil
        }
        arguments.keyword = "capture \(what.text) header"
        guard let header = arguments.require("'header'") else { return nil }
        guard header.text == "header" else {
            diagnostics.error(at: arguments.location(of: header), keyword: arguments.keyword, "expected 'header', got '\(header.text)'")
            return nil
        }
        guard let name = arguments.require("a header name") else { return nil }
        guard let len = arguments.require("'len' and a length") else { return nil }
        guard len.text == "len" else {
            diagnostics.error(at: arguments.location(of: len), keyword: arguments.keyword, "expected 'len' and a length, got '\(len.text)'")
            return nil
        }
        guard let length = arguments.integer("a length", in: 1...65536) else { return nil }
        arguments.expectEnd()
        guard arguments.isAtEnd else { return nil }
        return HeaderCapture(direction: direction, name: name.text, length: length, location: statement.location)
    }

    /// `uri [whole] [len N] [depth N] [path-only]`, in any order.
    private func parseURIHashKey(_ arguments: inout ArgumentReader) -> URIHashKey? {
        arguments.keyword = "balance uri"
        var key = URIHashKey()
        while let word = arguments.next() {
            switch word.text {
            case "whole": key.whole = true
            case "path-only": key.pathOnly = true
            case "len", "depth":
                guard let value = arguments.require("a positive integer") else { return nil }
                guard let number = Int(value.text), number > 0 else {
                    diagnostics.error(at: arguments.location(of: value), keyword: "balance uri", "'\(word.text)' expects a positive integer, got '\(value.text)'")
                    return nil
                }
                if word.text == "len" { key.length = number } else { key.depth = number }
            default:
                diagnostics.error(at: arguments.location(of: word), keyword: "balance uri", "unexpected '\(word.text)': expected 'whole', 'len N', 'depth N' or 'path-only'",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: ["whole", "len", "depth", "path-only"]))
                return nil
            }
        }
        return key
    }

    /// `hash-type METHOD [FUNCTION [avalanche]]`.
    private func parseHashType(_ statement: Statement, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let word = arguments.require("'map-based' or 'consistent'") else { return }
        guard let type = HashType(rawValue: word.text) else {
            diagnostics.error(at: arguments.location(of: word), keyword: "hash-type", "expected 'map-based' or 'consistent', got '\(word.text)'",
                              suggestion: KeywordSuggestion.nearest(to: word.text, in: ["map-based", "consistent"]))
            return
        }
        var function: HashFunction?
        var avalanche = false
        if let name = arguments.next() {
            if name.text == "wt6" {
                diagnostics.error(at: arguments.location(of: name), keyword: "hash-type", UnsupportedKeywords.message(
                    "hash-type \(word.text) wt6", origin: .haproxy, reason: "wt6 is defined only by HAProxy's source code; use sdbm, djb2 or crc32, with avalanche for numeric keys"))
                return
            }
            guard let known = HashFunction(rawValue: name.text) else {
                // HAProxy wants the function before the modifier (`consistent sdbm avalanche`).
                diagnostics.error(at: arguments.location(of: name), keyword: "hash-type", "expected a hash function (sdbm, djb2 or crc32), got '\(name.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: name.text, in: HashFunction.allCases.map(\.rawValue)))
                return
            }
            function = known
            if let modifier = arguments.next() {
                guard modifier.text == "avalanche" else {
                    diagnostics.error(at: arguments.location(of: modifier), keyword: "hash-type", "expected 'avalanche' or nothing after '\(name.text)', got '\(modifier.text)'")
                    return
                }
                avalanche = true
            }
        }
        if arguments.peek != nil {
            arguments.expectEnd()
            return
        }
        draft.hashType = type
        draft.hashFunction = function
        draft.hashAvalanche = avalanche
    }

    /// Checks made when a section ends: `http-check` without `option httpchk`; ACL names in
    /// conditions resolved to this section's `acl` lines or HAProxy's predefined ACLs.
    private func finish(_ draft: inout ProxyDraft) {
        if let location = draft.httpCheckLocation, !draft.httpCheckEnabled {
            diagnostics.error(at: location, keyword: "http-check", "needs 'option httpchk' in the same section or its defaults")
        }
        if !draft.httpCheckEnabled { draft.healthCheck = nil }
        draft.httpCheckLocation = nil
        let declared = Set(draft.acls.map(\.name))
        let failed = draft.failedACLNames
        func resolve(_ condition: inout Condition?) {
            guard var resolved = condition else { return }
            for a in resolved.alternatives.indices {
                for t in resolved.alternatives[a].indices {
                    let term = resolved.alternatives[a][t]
                    guard case .named(let name) = term.acl, !declared.contains(name) else { continue }
                    if let predefined = PredefinedACL.acl(named: name, location: term.location) {
                        resolved.alternatives[a][t].acl = .anonymous(predefined)
                    } else if !failed.contains(name) {
                        diagnostics.error(at: term.location, keyword: name, "no acl named '\(name)' in '\(self.name)'",
                                          suggestion: KeywordSuggestion.nearest(to: name, in: declared))
                    }
                }
            }
            condition = resolved
        }
        for index in draft.useBackends.indices { resolve(&draft.useBackends[index].condition) }
        for index in draft.httpRequestRules.indices { resolve(&draft.httpRequestRules[index].condition) }
        for index in draft.httpResponseRules.indices { resolve(&draft.httpResponseRules[index].condition) }
        for index in draft.httpAfterResponseRules.indices { resolve(&draft.httpAfterResponseRules[index].condition) }
        if var stats = draft.stats {
            stats.adminConditions = stats.adminConditions.compactMap { condition in
                var resolved: Condition? = condition
                resolve(&resolved)
                return resolved
            }
            draft.stats = stats
        }
        draft.monitorFail = draft.monitorFail.compactMap { condition in
            var resolved: Condition? = condition
            resolve(&resolved)
            return resolved
        }
    }
}

/// HAProxy's predefined ACLs (configuration manual §7.4), resolved to ordinary ACLs.
enum PredefinedACL {
    static func acl(named name: String, location: SourceLocation) -> ACL? {
        func make(_ criterion: ACLCriterion, _ values: [String] = []) -> ACL {
            ACL(name: "", criterion: criterion, values: values, location: location)
        }
        switch name {
        case "TRUE": return make(.alwaysTrue)
        case "FALSE": return make(.alwaysFalse)
        case "LOCALHOST": return make(.source, ["127.0.0.1/8", "::1"])
        case "METH_CONNECT": return make(.method, ["CONNECT"])
        case "METH_DELETE": return make(.method, ["DELETE"])
        case "METH_GET": return make(.method, ["GET", "HEAD"])
        case "METH_HEAD": return make(.method, ["HEAD"])
        case "METH_OPTIONS": return make(.method, ["OPTIONS"])
        case "METH_POST": return make(.method, ["POST"])
        case "METH_PUT": return make(.method, ["PUT"])
        case "METH_TRACE": return make(.method, ["TRACE"])
        case "HTTP_URL_SLASH": return make(.urlBegins, ["/"])
        case "HTTP_URL_STAR": return make(.url, ["*"])
        default: return nil
        }
    }
}
