/// `http-request ACTION [if|unless COND]` (HAProxy §4.2 http-request).
package struct HTTPRequestRule: Sendable {
    package var action: HTTPRequestAction
    package var condition: Condition
    /// From the older `redirect` keyword: still runs after an `allow` (HAProxy evaluates those
    /// lines as their own list after the `http-request` rules).
    package var isRedirectKeyword = false

    package init(action: HTTPRequestAction, condition: Condition = .always) {
        self.action = action
        self.condition = condition
    }
}

/// The supported `http-request` actions. Values are log-format strings (§8.2.4), evaluated when
/// the rule applies; regular expressions are compiled with the plan.
package enum HTTPRequestAction: Sendable, Hashable {
    /// `deny [deny_status N]`.
    case deny(status: Int)
    /// `redirect location URL [code N]`.
    case redirectLocation(LogFormatString, code: Int, options: RedirectOptions = RedirectOptions())
    /// `redirect prefix URL [code N]`: URL + original path and query.
    case redirectPrefix(LogFormatString, code: Int, options: RedirectOptions = RedirectOptions())
    /// `redirect scheme SCHEME [code N]`: SCHEME://Host + original target.
    case redirectScheme(LogFormatString, code: Int, options: RedirectOptions = RedirectOptions())
    case setHeader(name: String, value: LogFormatString)
    case addHeader(name: String, value: LogFormatString)
    case deleteHeader(name: String)
    /// `return ...`: the proxy answers.
    case returnResponse(ReturnPlan)
    /// `allow`: no further `http-request` rule of this section runs.
    case allow
    /// `set-path FMT`.
    case setPath(LogFormatString)
    /// `set-query FMT`.
    case setQuery(LogFormatString)
    /// `replace-path REGEX FMT`.
    case replacePath(RegexBox, LogFormatString)
    /// `replace-header NAME REGEX FMT`.
    case replaceHeader(name: String, RegexBox, LogFormatString)
    /// `replace-value NAME REGEX FMT`.
    case replaceValue(name: String, RegexBox, LogFormatString)
    /// `set-var(SCOPE.NAME) EXPR`: the slot is fixed by the plan.
    case setVariable(VariableSlot, SampleExpression)
    /// `tarpit [deny_status N]`.
    case tarpit(status: Int)
    /// `use-service prometheus-exporter`: the metrics, made by the appliance's stats hook.
    case prometheusExporter
}

/// `redirect` options, decided at configuration time.
package struct RedirectOptions: Sendable, Hashable {
    /// `drop-query`: the original target is appended without its query.
    package var dropQuery: Bool
    /// `append-slash`: the appended path gets a `/` if it does not end with one.
    package var appendSlash: Bool
    /// The `Set-Cookie` value of `set-cookie` / `clear-cookie`.
    package var cookie: String?

    package init(dropQuery: Bool = false, appendSlash: Bool = false, cookie: String? = nil) {
        self.dropQuery = dropQuery
        self.appendSlash = appendSlash
        self.cookie = cookie
    }

    /// The original target as a prefix or scheme redirect appends it.
    func target(of head: HTTPRequestHead) -> String {
        guard dropQuery || appendSlash else { return head.target }
        var path = String(head.path)
        if appendSlash, !path.hasSuffix("/") { path += "/" }
        if !dropQuery, let query = head.query { path += "?" + query }
        return path
    }
}

/// Where a variable lives: `sess` variables on the client connection, `txn`/`req` on the request.
/// Slots are numbered when the plan is compiled, so a lookup is an array index.
package struct VariableSlot: Sendable, Hashable {
    package var index: Int
    package var session: Bool

    package init(index: Int, session: Bool) {
        self.index = index
        self.session = session
    }
}

/// `http-request return`'s answer, prepared at configuration time: only `lf-string` bodies and
/// `hdr` values with `%` are built per request.
package struct ReturnPlan: Sendable, Hashable {
    package var status: Int
    package var contentType: String?
    package var body: LogFormatString
    package var headers: [HeaderRewrite]

    package init(status: Int, contentType: String?, body: LogFormatString, headers: [HeaderRewrite] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// The complete HTTP/1.1 response; it closes the connection as the proxy's other answers do.
    func render(_ facts: RequestFacts) -> String {
        let body = self.body.evaluate(facts)
        var text = "HTTP/1.1 \(status) \(ErrorPages.reason(status))\r\ncontent-length: \(body.utf8.count)\r\n"
        if let contentType { text += "content-type: \(contentType)\r\n" }
        for header in headers { text += "\(header.name): \(header.value.evaluate(facts))\r\n" }
        text += "connection: close\r\n\r\n"
        return text + body
    }
}

/// A header name and its compiled value.
package struct HeaderRewrite: Sendable, Hashable {
    package var name: String
    package var value: LogFormatString

    package init(name: String, value: LogFormatString) {
        self.name = name
        self.value = value
    }
}

/// The outcome of running `http-request` rules on one request.
enum RequestRuleOutcome {
    case proceed
    case deny(status: Int)
    case redirect(location: String, code: Int, cookie: String?)
    /// `return`: the complete response to send.
    case answer(String, status: Int)
    /// `tarpit`: hold the request, then answer `status`.
    case tarpit(status: Int)
    /// `use-service prometheus-exporter`.
    case prometheus
}

extension Array where Element == HTTPRequestRule {
    /// Runs the rules in order; the first final action (deny, redirect, return, tarpit) or `allow`
    /// stops evaluation.
    func apply(to facts: inout RequestFacts) -> RequestRuleOutcome {
        var allowed = false
        for rule in self where (!allowed || rule.isRedirectKeyword) && rule.condition.evaluate(facts) {
            switch rule.action {
            case .deny(let status):
                return .deny(status: status)
            case .redirectLocation(let location, let code, let options):
                return .redirect(location: location.evaluate(facts), code: code, cookie: options.cookie)
            case .redirectPrefix(let format, let code, let options):
                let prefix = format.evaluate(facts)
                let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
                return .redirect(location: trimmed + options.target(of: facts.head), code: code, cookie: options.cookie)
            case .redirectScheme(let scheme, let code, let options):
                let host = facts.head.fields.first("host") ?? ""
                return .redirect(location: "\(scheme.evaluate(facts))://\(host)\(options.target(of: facts.head))", code: code, cookie: options.cookie)
            case .setHeader(let name, let value):
                // Evaluated before the old value goes: `set-header X %[req.hdr(x),lower]` reads it.
                facts.head.fields.set(name, value.evaluate(facts))
            case .addHeader(let name, let value):
                facts.head.fields.add(name, value.evaluate(facts))
            case .deleteHeader(let name):
                facts.head.fields.remove(name)
            case .returnResponse(let plan):
                return .answer(plan.render(facts), status: plan.status)
            case .allow:
                allowed = true
            case .setPath(let format):
                facts.head.replacePath(with: format.evaluate(facts))
            case .setQuery(let format):
                facts.head.replaceQuery(with: format.evaluate(facts))
            case .replacePath(let regex, let format):
                if let path = regex.replacement(of: facts.head.path, template: format.evaluate(facts)) {
                    facts.head.replacePath(with: path)
                }
            case .replaceHeader(let name, let regex, let format):
                facts.head.fields.replaceValues(name, regex: regex, template: format.evaluate(facts), perElement: false)
            case .replaceValue(let name, let regex, let format):
                facts.head.fields.replaceValues(name, regex: regex, template: format.evaluate(facts), perElement: true)
            case .setVariable(let slot, let expression):
                facts.store(expression.evaluate(facts), in: slot)
            case .tarpit(let status):
                return .tarpit(status: status)
            case .prometheusExporter:
                return .prometheus
            }
        }
        return .proceed
    }
}

extension HTTPRequestHead {
    /// `set-path`: the path part of the target replaced, the query (and an absolute form's
    /// scheme and authority) kept.
    mutating func replacePath(with path: String) {
        let current = self.path
        let prefix = target[target.startIndex..<current.startIndex]
        let suffix = target[current.endIndex...]
        target = String(prefix) + path + suffix
    }

    /// `set-query`: what follows the first `?` replaced; a `?` is added only for a non-empty
    /// value and never removed (HAProxy §4.2 set-query).
    mutating func replaceQuery(with query: String) {
        if let mark = target.firstIndex(of: "?") {
            target = String(target[...mark]) + query
        } else if !query.isEmpty {
            target += "?" + query
        }
    }
}

extension HTTPFields {
    /// `replace-header` (whole lines) and `replace-value` (each comma-separated element): a
    /// matching value becomes `template` with `\1`...`\9` filled in from the match.
    mutating func replaceValues(_ name: String, regex: RegexBox, template: String, perElement: Bool) {
        let key = FieldName(name)
        for index in 0..<count where hasName(key, at: index) {
            let value = value(at: index)
            if perElement {
                var changed = false
                // As HAProxy 2.6 does (checked on 127.0.0.1): a matching element is replaced with the
                // blanks before it (`a, b, c` → `a,B, c`), the others stay as they were.
                let elements = value.split(separator: ",", omittingEmptySubsequences: false).map { raw -> String in
                    guard let replaced = regex.replacement(of: raw.trimmingOWS(), template: template) else { return String(raw) }
                    changed = true
                    return replaced
                }
                if changed { setValue(elements.joined(separator: ","), at: index) }
            } else if let replaced = regex.replacement(of: Substring(value), template: template) {
                setValue(replaced, at: index)
            }
        }
    }
}

extension RegexBox {
    /// `template` with `\0`...`\9` replaced by the match's groups, or nil when `subject` does not match.
    /// As HAProxy's `replace-*` actions, the whole subject is replaced, not only the matched part.
    func replacement(of subject: Substring, template: String) -> String? {
        guard let match = try? regex.firstMatch(in: subject) else { return nil }
        var output = ""
        var characters = template[...]
        while let slash = characters.firstIndex(of: "\\") {
            output += characters[..<slash]
            let next = characters.index(after: slash)
            if next < characters.endIndex, let digit = characters[next].wholeNumberValue {
                if digit < match.output.count, let group = match.output[digit].substring { output += group }
                characters = characters[characters.index(after: next)...]
            } else {
                output += "\\"
                characters = characters[next...]
            }
        }
        output += characters
        return output
    }
}
