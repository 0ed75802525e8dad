/// `http-request ACTION [if|unless COND]` (HAProxy §4.2 http-request).
package struct HTTPRequestRule: Sendable {
    package var action: HTTPRequestAction
    package var condition: Condition

    package init(action: HTTPRequestAction, condition: Condition = .always) {
        self.action = action
        self.condition = condition
    }
}

/// The supported `http-request` actions. Values are log-format strings (§8.2.4), evaluated when
/// the rule applies.
package enum HTTPRequestAction: Sendable, Hashable {
    /// `deny [deny_status N]`.
    case deny(status: Int)
    /// `redirect location URL [code N]`.
    case redirectLocation(LogFormatString, code: Int)
    /// `redirect prefix URL [code N]`: URL + original path and query.
    case redirectPrefix(LogFormatString, code: Int)
    /// `redirect scheme SCHEME [code N]`: SCHEME://Host + original target.
    case redirectScheme(LogFormatString, code: Int)
    case setHeader(name: String, value: LogFormatString)
    case addHeader(name: String, value: LogFormatString)
    case deleteHeader(name: String)
}

/// The outcome of running `http-request` rules on one request.
enum RequestRuleOutcome {
    case proceed
    case deny(status: Int)
    case redirect(location: String, code: Int)
}

extension Array where Element == HTTPRequestRule {
    /// Runs the rules in order; the first final action (deny, redirect) stops evaluation.
    func apply(to facts: inout RequestFacts) -> RequestRuleOutcome {
        for rule in self where rule.condition.evaluate(facts) {
            switch rule.action {
            case .deny(let status):
                return .deny(status: status)
            case .redirectLocation(let location, let code):
                return .redirect(location: location.evaluate(facts), code: code)
            case .redirectPrefix(let format, let code):
                let prefix = format.evaluate(facts)
                let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
                return .redirect(location: trimmed + facts.head.target, code: code)
            case .redirectScheme(let scheme, let code):
                let host = facts.head.fields.first("host") ?? ""
                return .redirect(location: "\(scheme.evaluate(facts))://\(host)\(facts.head.target)", code: code)
            case .setHeader(let name, let value):
                // Evaluated before the old value goes: `set-header X %[req.hdr(x),lower]` reads it.
                facts.head.fields.set(name, value.evaluate(facts))
            case .addHeader(let name, let value):
                facts.head.fields.add(name, value.evaluate(facts))
            case .deleteHeader(let name):
                facts.head.fields.remove(name)
            }
        }
        return .proceed
    }
}
