import HACore

/// HAProxy `use_backend`, `http-request` and `redirect`.
extension ProxySectionParser {
    /// `use_backend NAME [if|unless COND]`.
    func parseUseBackend(_ statement: Statement) -> UseBackendRule? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let name = arguments.require("a backend name") else { return nil }
        if name.text.contains("%[") {
            diagnostics.error(at: arguments.location(of: name), keyword: "use_backend", UnsupportedKeywords.message("use_backend with a dynamic name", origin: .haproxy))
            return nil
        }
        guard checkName(name, in: statement, what: "backend") else { return nil }
        let (condition, ok) = parseCondition(statement, from: 2, keyword: "use_backend")
        guard ok else { return nil }
        return UseBackendRule(backend: name.text, condition: condition, location: statement.location)
    }

    static let httpRequestActions = [
        "redirect", "deny", "set-header", "add-header", "del-header", "return", "allow", "set-path", "set-query",
        "replace-path", "replace-header", "replace-value", "set-var", "tarpit", "use-service",
    ]

    /// `http-request ACTION ... [if|unless COND]`.
    func parseHTTPRequest(_ statement: Statement) -> HTTPRequestRule? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let action = arguments.require("an action (\(Self.httpRequestActions.joined(separator: ", ")))") else { return nil }
        let keyword = "http-request \(action.text)"
        arguments.keyword = keyword
        switch action.text {
        case "redirect":
            return parseRedirect(statement, skipping: 2, keyword: keyword)
        case "allow":
            let (condition, ok) = parseCondition(statement, from: 2, keyword: keyword)
            guard ok else { return nil }
            return HTTPRequestRule(action: .allow, condition: condition, location: statement.location)
        case "return":
            return parseReturn(statement, keyword: keyword)
        case "set-path", "set-query":
            guard let value = arguments.require(action.text == "set-path" ? "a path" : "a query string") else { return nil }
            guard let format = parseLogFormat(value, in: statement, keyword: keyword, what: "\(action.text) value") else { return nil }
            let (condition, ok) = parseCondition(statement, from: 3, keyword: keyword)
            guard ok else { return nil }
            return HTTPRequestRule(action: action.text == "set-path" ? .setPath(format) : .setQuery(format), condition: condition, location: statement.location)
        case "replace-path":
            guard let regex = arguments.require("a regular expression"), let value = arguments.require("a replacement") else { return nil }
            guard checkRegex(regex, in: statement, keyword: keyword),
                  let format = parseLogFormat(value, in: statement, keyword: keyword, what: "replace-path replacement") else { return nil }
            let (condition, ok) = parseCondition(statement, from: 4, keyword: keyword)
            guard ok else { return nil }
            return HTTPRequestRule(action: .replacePath(regex: regex.text, format: format), condition: condition, location: statement.location)
        case "replace-header", "replace-value":
            guard let name = arguments.require("a header name"), let regex = arguments.require("a regular expression"),
                  let value = arguments.require("a replacement") else { return nil }
            guard isHeaderName(name.text) else {
                diagnostics.error(at: arguments.location(of: name), keyword: keyword, "expected a header name (letters, digits, '-'), got '\(name.text)'")
                return nil
            }
            guard checkRegex(regex, in: statement, keyword: keyword),
                  let format = parseLogFormat(value, in: statement, keyword: keyword, what: "\(action.text) replacement") else { return nil }
            let (condition, ok) = parseCondition(statement, from: 5, keyword: keyword)
            guard ok else { return nil }
            return HTTPRequestRule(action: action.text == "replace-header"
                ? .replaceHeader(name: name.text, regex: regex.text, format: format)
                : .replaceValue(name: name.text, regex: regex.text, format: format), condition: condition, location: statement.location)
        case "use-service":
            guard let service = arguments.require("a service name (prometheus-exporter)") else { return nil }
            guard service.text == "prometheus-exporter" else {
                diagnostics.error(at: arguments.location(of: service), keyword: keyword,
                                  UnsupportedKeywords.message("http-request use-service \(service.text)", origin: .haproxy, reason: "hactl has the prometheus-exporter service"))
                return nil
            }
            let (condition, ok) = parseCondition(statement, from: 3, keyword: keyword)
            guard ok else { return nil }
            return HTTPRequestRule(action: .useService(service.text), condition: condition, location: statement.location)
        case "tarpit":
            guard let (status, next) = parseDenyStatus(&arguments, default: 500) else { return nil }
            let (condition, ok) = parseCondition(statement, from: next, keyword: keyword)
            guard ok else { return nil }
            return HTTPRequestRule(action: .tarpit(status: status), condition: condition, location: statement.location)
        case _ where action.text.hasPrefix("set-var(") || action.text == "set-var":
            return parseSetVariable(statement, action: action, keyword: "http-request set-var")
        case "deny":
            guard let (status, next) = parseDenyStatus(&arguments, default: 403) else { return nil }
            let (condition, ok) = parseCondition(statement, from: next, keyword: keyword)
            guard ok else { return nil }
            return .deny(status: status, condition: condition, location: statement.location)
        case "set-header", "add-header":
            guard let name = arguments.require("a header name"), let value = arguments.require("a header value") else { return nil }
            guard isHeaderName(name.text) else {
                diagnostics.error(at: arguments.location(of: name), keyword: keyword, "expected a header name (letters, digits, '-'), got '\(name.text)'")
                return nil
            }
            guard let format = parseLogFormat(value, in: statement, keyword: keyword, what: "\(action.text) value") else { return nil }
            let (condition, ok) = parseCondition(statement, from: 4, keyword: keyword)
            guard ok else { return nil }
            return action.text == "set-header"
                ? .setHeader(name: name.text, value: format, condition: condition, location: statement.location)
                : .addHeader(name: name.text, value: format, condition: condition, location: statement.location)
        case "del-header":
            guard let name = arguments.require("a header name") else { return nil }
            guard isHeaderName(name.text) else {
                diagnostics.error(at: arguments.location(of: name), keyword: keyword, "expected a header name (letters, digits, '-'), got '\(name.text)'")
                return nil
            }
            if let method = arguments.peek, method.text == "-m" {
                diagnostics.error(at: arguments.location(of: method), keyword: keyword, UnsupportedKeywords.message("http-request del-header ... -m", origin: .haproxy))
                return nil
            }
            let (condition, ok) = parseCondition(statement, from: 3, keyword: keyword)
            guard ok else { return nil }
            return .delHeader(name: name.text, condition: condition, location: statement.location)
        default:
            let base = String(action.text.prefix { $0 != "(" })
            if let reason = UnsupportedKeywords.httpRequestActions[base] {
                diagnostics.error(at: arguments.location(of: action), keyword: keyword, UnsupportedKeywords.message("http-request \(base)", origin: .haproxy, reason: reason))
            } else {
                diagnostics.error(at: arguments.location(of: action), keyword: keyword, "unknown http-request action '\(action.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: action.text, in: Self.httpRequestActions))
            }
            return nil
        }
    }

    /// `return [status N] [content-type T] [string S | lf-string FMT | file PATH] [hdr NAME FMT]... [if|unless COND]`.
    private func parseReturn(_ statement: Statement, keyword: String) -> HTTPRequestRule? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics, keyword: keyword, skipping: 2)
        var answer = HTTPReturn()
        var bodyWord: Word?
        let options = ["status", "content-type", "string", "lf-string", "file", "hdr", "if", "unless"]
        while let option = arguments.peek, option.text != "if", option.text != "unless" {
            _ = arguments.next()
            switch option.text {
            case "status":
                guard let value = arguments.integer("an HTTP status", in: 200...599) else { return nil }
                answer.status = value
            case "content-type":
                guard let value = arguments.require("a content type") else { return nil }
                answer.contentType = value.text
            case "string", "lf-string", "file":
                guard let value = arguments.require(option.text == "file" ? "a file path" : "the body") else { return nil }
                if let previous = bodyWord {
                    diagnostics.error(at: arguments.location(of: option), keyword: keyword, "'return' takes one body, already given by '\(previous.text)'")
                    return nil
                }
                bodyWord = option
                switch option.text {
                case "string": answer.body = .string(value.text)
                case "file": answer.body = .file(value.text)
                default:
                    guard let format = parseLogFormat(value, in: statement, keyword: keyword, what: "return lf-string") else { return nil }
                    answer.body = .logFormat(format)
                }
            case "hdr":
                guard let name = arguments.require("a header name"), let value = arguments.require("a header value") else { return nil }
                guard isHeaderName(name.text) else {
                    diagnostics.error(at: arguments.location(of: name), keyword: keyword, "expected a header name (letters, digits, '-'), got '\(name.text)'")
                    return nil
                }
                let lower = name.text.lowercased()
                if ["content-length", "content-type", "transfer-encoding", "connection"].contains(lower) {
                    diagnostics.error(at: arguments.location(of: name), keyword: keyword, "'hdr \(name.text)' is set by the proxy itself in a 'return' answer (use content-type for the type)")
                    return nil
                }
                guard let format = parseLogFormat(value, in: statement, keyword: keyword, what: "return hdr value") else { return nil }
                answer.headers.append(HeaderValue(name: name.text, value: format))
            case "errorfile", "errorfiles", "default-errorfiles", "lf-file":
                diagnostics.error(at: arguments.location(of: option), keyword: keyword, UnsupportedKeywords.message("http-request return ... \(option.text)", origin: .haproxy, reason: "use string, lf-string or file"))
                return nil
            default:
                diagnostics.error(at: arguments.location(of: option), keyword: keyword, "unexpected '\(option.text)': expected one of \(options.joined(separator: ", "))",
                                  suggestion: KeywordSuggestion.nearest(to: option.text, in: options))
                return nil
            }
        }
        // HAProxy: a body needs its content-type, and a content-type without a body is refused.
        if bodyWord != nil, answer.contentType == nil {
            diagnostics.error(at: arguments.location(of: bodyWord!), keyword: keyword, "'return' with a body needs 'content-type TYPE', as in HAProxy")
            return nil
        }
        if bodyWord == nil, answer.contentType != nil {
            diagnostics.error(at: statement.location, keyword: keyword, "'return' has a content-type but no body (string, lf-string or file)")
            return nil
        }
        if [204, 304].contains(answer.status), bodyWord != nil {
            diagnostics.error(at: arguments.location(of: bodyWord!), keyword: keyword, "a \(answer.status) answer carries no body")
            return nil
        }
        let (condition, ok) = parseCondition(statement, from: arguments.index, keyword: keyword)
        guard ok else { return nil }
        return HTTPRequestRule(action: .returnResponse(answer), condition: condition, location: statement.location)
    }

    /// `set-var(SCOPE.NAME) EXPR [if|unless COND]`.
    private func parseSetVariable(_ statement: Statement, action: Word, keyword: String) -> HTTPRequestRule? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics, keyword: keyword, skipping: 2)
        let inside = action.text.hasPrefix("set-var(") && action.text.hasSuffix(")") ? String(action.text.dropFirst(8).dropLast()) : ""
        guard let variable = VariableName(parsing: inside) else {
            diagnostics.error(at: location(in: action, offset: min(8, action.text.count), of: statement), keyword: keyword,
                              "expected set-var(SCOPE.NAME) with SCOPE one of sess, txn, req, as in set-var(txn.user)")
            return nil
        }
        guard let value = arguments.require("a sample expression such as req.hdr(host),lower") else { return nil }
        let parser = LogFormatParser(what: "set-var expression", backendKnown: kind != .frontend) { offset in
            self.location(in: value, offset: offset, of: statement)
        }
        let expression: SampleExpression
        do {
            expression = try parser.parseExpression(value.text)
        } catch {
            diagnostics.error(at: location(in: value, offset: error.offset, of: statement), keyword: keyword, error.message, suggestion: error.suggestion)
            return nil
        }
        let (condition, ok) = parseCondition(statement, from: 3, keyword: keyword)
        guard ok else { return nil }
        return HTTPRequestRule(action: .setVariable(variable, expression), condition: condition, location: statement.location)
    }

    /// A regular expression as the proxy will compile it; an error points at the word.
    func checkRegex(_ word: Word, in statement: Statement, keyword: String) -> Bool {
        do {
            _ = try Regex(word.text)
            return true
        } catch {
            diagnostics.error(at: statement.location(of: word), keyword: keyword, "invalid regular expression '\(word.text)': \(error)")
            return false
        }
    }

    func isHeaderName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_!#$%&'*+.^`|~".contains($0)) }
    }

    /// `redirect scheme|location|prefix VALUE [code N] [drop-query] [append-slash] [set-cookie NAME[=VALUE]]
    /// [clear-cookie NAME] [if|unless COND]` (words from `skipping` on). As HAProxy 2.6 does, the
    /// options may come before or after the target (`redirect code 301 location /x`).
    func parseRedirect(_ statement: Statement, skipping start: Int, keyword: String) -> HTTPRequestRule? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics, keyword: keyword, skipping: start)
        var target: (kind: HTTPRequestRule.RedirectKind, format: LogFormat)?
        var code = 302
        var options = HTTPRequestRule.RedirectOptions()
        let optionNames = ["code", "drop-query", "append-slash", "set-cookie", "clear-cookie"]
        if arguments.isAtEnd || ["if", "unless"].contains(arguments.peek?.text ?? "") {
            _ = arguments.require("'scheme', 'location' or 'prefix'")
            return nil
        }
        while let option = arguments.peek, option.text != "if", option.text != "unless" {
            _ = arguments.next()
            if let kind = HTTPRequestRule.RedirectKind(rawValue: option.text) {
                if target != nil {
                    diagnostics.error(at: arguments.location(of: option), keyword: keyword, "a redirect has one target: '\(option.text)' comes after another")
                    return nil
                }
                guard let value = arguments.require("a \(kind.rawValue)") else { return nil }
                guard let format = redirectValue(value, kind: kind, in: statement, keyword: keyword) else { return nil }
                target = (kind, format)
                continue
            }
            switch option.text {
            case "code":
                guard let word = arguments.require("a redirect status (301, 302, 303, 307 or 308)") else { return nil }
                guard let value = Int(word.text), [301, 302, 303, 307, 308].contains(value) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: keyword, "expected a redirect status (301, 302, 303, 307 or 308), got '\(word.text)'")
                    return nil
                }
                code = value
            case "drop-query":
                options.dropQuery = true
            case "append-slash":
                options.appendSlash = true
            case "set-cookie", "clear-cookie":
                guard let word = arguments.require("a cookie name") else { return nil }
                let name = String(word.text.prefix { $0 != "=" })
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: keyword, "expected a cookie name such as SEEN or SEEN=1, got '\(word.text)'")
                    return nil
                }
                if option.text == "set-cookie" { options.setCookie = word.text } else { options.clearCookie = word.text }
            case "ignore-empty", "keep-query":
                diagnostics.error(at: arguments.location(of: option), keyword: keyword, UnsupportedKeywords.message("redirect ... \(option.text)", origin: .haproxy))
                return nil
            default:
                if target == nil {
                    diagnostics.error(at: arguments.location(of: option), keyword: keyword, "expected 'scheme', 'location' or 'prefix', got '\(option.text)'",
                                      suggestion: KeywordSuggestion.nearest(to: option.text, in: ["scheme", "location", "prefix"] + optionNames))
                } else {
                    diagnostics.error(at: arguments.location(of: option), keyword: keyword, "unexpected '\(option.text)': expected \(optionNames.map { "'\($0)'" }.joined(separator: ", ")), 'if' or 'unless'",
                                      suggestion: KeywordSuggestion.nearest(to: option.text, in: optionNames + ["if", "unless"]))
                }
                return nil
            }
        }
        guard let target else {
            diagnostics.error(at: statement.location, keyword: keyword, "expected 'scheme', 'location' or 'prefix' and its value")
            return nil
        }
        let (condition, ok) = parseCondition(statement, from: arguments.index, keyword: keyword)
        guard ok else { return nil }
        return HTTPRequestRule(action: .redirect(kind: target.kind, value: target.format, code: code, options: options), condition: condition, location: statement.location)
    }

    /// The target of a redirect: a log-format string for `http-request redirect`, literal text for the older keyword.
    private func redirectValue(_ value: Word, kind: HTTPRequestRule.RedirectKind, in statement: Statement, keyword: String) -> LogFormat? {
        guard keyword == "redirect" else {
            return parseLogFormat(value, in: statement, keyword: keyword, what: "redirect \(kind.rawValue)")
        }
        // HAProxy reads the older keyword's value literally (`/a%20b` stays as it is), so a sample
        // expression there would be sent as text: refuse it and name the keyword that evaluates it.
        if let range = value.text.firstRange(of: "%[") {
            let offset = value.text.distance(from: value.text.startIndex, to: range.lowerBound)
            diagnostics.error(at: location(in: value, offset: offset, of: statement), keyword: keyword,
                              "'redirect \(kind.rawValue)' takes its value literally, as in HAProxy: write 'http-request redirect \(kind.rawValue) ...' to evaluate '%[...]'")
            return nil
        }
        return LogFormat(literal: value.text)
    }

    /// `word` read as a log-format string (§8.2.4); an error points at the character it is about.
    func parseLogFormat(_ word: Word, in statement: Statement, keyword: String, what: String) -> LogFormat? {
        let parser = LogFormatParser(what: what, backendKnown: kind != .frontend) { offset in
            location(in: word, offset: offset, of: statement)
        }
        do {
            return try parser.parse(word.text)
        } catch {
            diagnostics.error(at: location(in: word, offset: error.offset, of: statement), keyword: keyword, error.message, suggestion: error.suggestion)
            return nil
        }
    }

    /// The location of the character at `offset` in `word`'s text.
    func location(in word: Word, offset: Int, of statement: Statement) -> SourceLocation {
        SourceLocation(file: statement.file, line: word.line, column: word.column(atOffset: offset))
    }

    /// `[deny_status N]` after `deny` or `tarpit`: the status (`fallback` without it) and the
    /// index of the word after it, or nil once an error is reported.
    func parseDenyStatus(_ arguments: inout ArgumentReader, default fallback: Int) -> (status: Int, next: Int)? {
        guard arguments.peek?.text == "deny_status" else { return (fallback, 2) }
        _ = arguments.next()
        guard let value = arguments.integer("an HTTP status", in: 200...599) else { return nil }
        return (value, 4)
    }
}
