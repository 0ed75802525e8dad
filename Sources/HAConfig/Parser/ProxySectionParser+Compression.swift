import HACore

extension ProxySectionParser {
    /// `compression algo NAME...`, `compression type MIME...`, `compression offload`
    /// (HAProxy 2.6 manual §4.2): `algo` and `type` lines add to their lists.
    func parseCompression(_ statement: Statement, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        let forms = ["algo", "type", "offload"]
        guard let what = arguments.require("'algo', 'type' or 'offload'") else { return }
        arguments.keyword = "compression \(what.text)"
        var compression = draft.compression ?? HTTPCompression(location: statement.location)
        switch what.text {
        case "algo":
            let names = HTTPCompression.Algorithm.allCases.map(\.rawValue)
            guard arguments.peek != nil else {
                _ = arguments.require("one or more algorithms (\(names.joined(separator: ", ")))")
                return
            }
            while let word = arguments.next() {
                guard let algorithm = HTTPCompression.Algorithm(rawValue: word.text) else {
                    diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword,
                                      "unknown algorithm '\(word.text)': expected \(names.joined(separator: ", "))",
                                      suggestion: KeywordSuggestion.nearest(to: word.text, in: names))
                    return
                }
                if !compression.algorithms.contains(algorithm) { compression.algorithms.append(algorithm) }
            }
        case "type":
            guard arguments.peek != nil else {
                _ = arguments.require("one or more media types such as text/html")
                return
            }
            while let word = arguments.next() { compression.types.append(word.text) }
        case "offload":
            arguments.expectEnd()
            guard arguments.isAtEnd else { return }
            if kind == .defaults {
                // HAProxy 2.6: warned about and ignored in defaults.
                diagnostics.warning(at: statement.location, keyword: "compression offload",
                                    "ignored in a defaults section, as in HAProxy: set it in the frontend or backend")
                return
            }
            compression.offload = true
        default:
            diagnostics.error(at: arguments.location(of: what), keyword: "compression", "expected 'algo', 'type' or 'offload', got '\(what.text)'",
                              suggestion: KeywordSuggestion.nearest(to: what.text, in: forms))
            return
        }
        draft.compression = compression
    }
}
