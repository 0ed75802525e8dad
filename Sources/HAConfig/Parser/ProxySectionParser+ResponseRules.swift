import HACore

/// HAProxy `http-response` and `http-after-response` (§4.2).
extension ProxySectionParser {
    static let httpResponseActions = ["set-header", "add-header", "del-header", "replace-header", "replace-value", "set-status", "deny"]
    static let httpAfterResponseActions = ["set-header", "add-header", "del-header", "replace-header", "replace-value", "set-status"]

    /// `http-response ACTION ... [if|unless COND]`; `after`: `http-after-response`.
    func parseHTTPResponse(_ statement: Statement, after: Bool) -> HTTPResponseRule? {
        let base = after ? "http-after-response" : "http-response"
        let known = after ? Self.httpAfterResponseActions : Self.httpResponseActions
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let action = arguments.require("an action (\(known.joined(separator: ", ")))") else { return nil }
        let keyword = "\(base) \(action.text)"
        arguments.keyword = keyword
        func headerName(_ word: Word) -> Bool {
            guard isHeaderName(word.text) else {
                diagnostics.error(at: arguments.location(of: word), keyword: keyword, "expected a header name (letters, digits, '-'), got '\(word.text)'")
                return false
            }
            return true
        }
        func format(_ word: Word, _ what: String) -> LogFormat? {
            parseResponseLogFormat(word, in: statement, keyword: keyword, what: what)
        }
        func finish(_ action: HTTPResponseRule.Action, from index: Int) -> HTTPResponseRule? {
            let (condition, ok) = parseCondition(statement, from: index, keyword: keyword)
            guard ok else { return nil }
            return HTTPResponseRule(action: action, condition: condition, location: statement.location)
        }
        switch action.text {
        case "set-header", "add-header":
            guard let name = arguments.require("a header name"), let value = arguments.require("a header value") else { return nil }
            guard headerName(name), let parsed = format(value, "\(action.text) value") else { return nil }
            return finish(action.text == "set-header" ? .setHeader(name: name.text, value: parsed) : .addHeader(name: name.text, value: parsed), from: 4)
        case "del-header":
            guard let name = arguments.require("a header name"), headerName(name) else { return nil }
            if let method = arguments.peek, method.text == "-m" {
                diagnostics.error(at: arguments.location(of: method), keyword: keyword, UnsupportedKeywords.message("\(base) del-header ... -m", origin: .haproxy))
                return nil
            }
            return finish(.delHeader(name: name.text), from: 3)
        case "replace-header", "replace-value":
            guard let name = arguments.require("a header name"), let regex = arguments.require("a regular expression"),
                  let value = arguments.require("a replacement") else { return nil }
            guard headerName(name), checkRegex(regex, in: statement, keyword: keyword),
                  let parsed = format(value, "\(action.text) replacement") else { return nil }
            return finish(action.text == "replace-header"
                ? .replaceHeader(name: name.text, regex: regex.text, format: parsed)
                : .replaceValue(name: name.text, regex: regex.text, format: parsed), from: 5)
        case "set-status":
            guard let status = arguments.integer("an HTTP status", in: 100...999) else { return nil }
            var reason: String?
            var next = 3
            if arguments.peek?.text == "reason" {
                _ = arguments.next()
                guard let word = arguments.require("a reason phrase") else { return nil }
                reason = word.text
                next = 5
            }
            return finish(.setStatus(status, reason: reason), from: next)
        case "deny" where !after:
            guard let (status, next) = parseDenyStatus(&arguments, default: 502) else { return nil }
            return finish(.deny(status: status), from: next)
        default:
            let name = String(action.text.prefix { $0 != "(" })
            if ["allow", "redirect", "return", "set-var", "unset-var", "capture", "lua", "set-log-level", "set-map", "del-map",
                "add-acl", "del-acl", "sc-inc-gpc0", "track-sc0", "track-sc1", "track-sc2", "silent-drop", "cache-store",
                "set-nice", "set-tos", "set-mark", "strict-mode", "wait-for-body", "send-spoe-group"].contains(name) {
                diagnostics.error(at: arguments.location(of: action), keyword: keyword, UnsupportedKeywords.message("\(base) \(name)", origin: .haproxy))
            } else {
                diagnostics.error(at: arguments.location(of: action), keyword: keyword, "unknown \(base) action '\(action.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: action.text, in: known))
            }
            return nil
        }
    }

    /// A log-format value evaluated on the response: `status` and `res.hdr()` are known there.
    func parseResponseLogFormat(_ word: Word, in statement: Statement, keyword: String, what: String) -> LogFormat? {
        var parser = LogFormatParser(what: what, backendKnown: kind != .frontend) { offset in
            location(in: word, offset: offset, of: statement)
        }
        parser.responseKnown = true
        do {
            return try parser.parse(word.text)
        } catch {
            diagnostics.error(at: location(in: word, offset: error.offset, of: statement), keyword: keyword, error.message, suggestion: error.suggestion)
            return nil
        }
    }
}
