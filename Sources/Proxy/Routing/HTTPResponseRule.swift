/// `http-response` / `http-after-response ACTION [if|unless COND]` (HAProxy §4.2), compiled.
package struct HTTPResponseRule: Sendable {
    package var action: HTTPResponseAction
    package var condition: Condition

    package init(action: HTTPResponseAction, condition: Condition = .always) {
        self.action = action
        self.condition = condition
    }
}

/// The supported response actions; values are log-format strings that may read `status` and `res.hdr`.
package enum HTTPResponseAction: Sendable, Hashable {
    case setHeader(name: String, value: LogFormatString)
    case addHeader(name: String, value: LogFormatString)
    case deleteHeader(name: String)
    case replaceHeader(name: String, RegexBox, LogFormatString)
    case replaceValue(name: String, RegexBox, LogFormatString)
    /// `set-status N [reason R]`: without a reason, the standard one for N.
    case setStatus(Int, reason: String?)
    /// `deny [deny_status N]`: the server's response is dropped and the proxy answers N.
    case deny(status: Int)
}

enum ResponseRuleOutcome {
    case proceed
    case deny(status: Int)
}

extension Array where Element == HTTPResponseRule {
    /// Runs the rules on `facts.response`, in order; `deny` stops.
    func apply(to facts: inout RequestFacts) -> ResponseRuleOutcome {
        for rule in self where rule.condition.evaluate(facts) {
            switch rule.action {
            case .setHeader(let name, let value):
                let text = value.evaluate(facts)
                facts.response?.fields.set(name, text)
            case .addHeader(let name, let value):
                let text = value.evaluate(facts)
                facts.response?.fields.add(name, text)
            case .deleteHeader(let name):
                facts.response?.fields.remove(name)
            case .replaceHeader(let name, let regex, let format):
                let template = format.evaluate(facts)
                facts.response?.fields.replaceValues(name, regex: regex, template: template, perElement: false)
            case .replaceValue(let name, let regex, let format):
                let template = format.evaluate(facts)
                facts.response?.fields.replaceValues(name, regex: regex, template: template, perElement: true)
            case .setStatus(let status, let reason):
                facts.response?.status = status
                facts.response?.reason = reason ?? ErrorPages.reason(status)
            case .deny(let status):
                return .deny(status: status)
            }
        }
        return .proceed
    }
}

/// A response the proxy wrote itself (error page, redirect, `return`), opened up so that
/// `http-after-response` rules can edit it. Only built when such rules exist.
enum GeneratedResponse {
    /// `text` with the rules applied; the body is kept as it is.
    static func rewrite(_ text: String, rules: [HTTPResponseRule], facts: inout RequestFacts) -> (text: String, status: Int) {
        guard let split = text.firstRange(of: "\r\n\r\n") else { return (text, 0) }
        let lines = text[..<split.lowerBound].split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let statusLine = lines.first else { return (text, 0) }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let status = Int(parts[1]) else { return (text, 0) }
        var fields = HTTPFields()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.add(String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }))
        }
        facts.response = HTTPResponseHead(status: status, reason: parts.count > 2 ? String(parts[2]) : "", fields: fields)
        _ = rules.apply(to: &facts)
        guard let head = facts.response else { return (text, status) }
        var output = "HTTP/1.1 \(head.status) \(head.reason)\r\n"
        for i in 0..<head.fields.count { output += "\(head.fields.name(at: i)): \(head.fields.value(at: i))\r\n" }
        output += "\r\n"
        output += text[split.upperBound...]
        return (output, head.status)
    }
}
