import HACore

/// HAProxy's `stats` keywords of a proxy section (configuration manual §4.2): any of them turns
/// the page on, as in HAProxy (`stats uri` alone implies `stats enable`).
extension ProxySectionParser {
    static let statsOptions = ["enable", "uri", "realm", "auth", "refresh", "admin", "hide-version"]

    func parseStats(_ statement: Statement, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let option = arguments.require("one of \(Self.statsOptions.joined(separator: ", "))") else { return }
        let keyword = "stats \(option.text)"
        arguments.keyword = keyword
        var page = draft.stats ?? StatsPage(location: statement.location)
        switch option.text {
        case "enable":
            break
        case "uri":
            guard let uri = arguments.require("a URI prefix such as /haproxy?stats") else { return }
            guard uri.text.hasPrefix("/") else {
                diagnostics.error(at: arguments.location(of: uri), keyword: keyword, "expected a URI prefix starting with '/', got '\(uri.text)'")
                return
            }
            page.uri = uri.text
        case "realm":
            // HAProxy: the realm is one word; '\ ' escapes a blank, which the lexer already resolved.
            guard let realm = arguments.require("a realm") else { return }
            page.realm = realm.text
        case "auth":
            guard let pair = arguments.require("USER:PASSWORD") else { return }
            guard let colon = pair.text.firstIndex(of: ":"), colon != pair.text.startIndex else {
                diagnostics.error(at: arguments.location(of: pair), keyword: keyword, "expected USER:PASSWORD, got '\(pair.text)'")
                return
            }
            page.credentials.append(StatsPage.Credential(user: String(pair.text[..<colon]),
                                                          password: String(pair.text[pair.text.index(after: colon)...])))
        case "refresh":
            guard let delay = arguments.duration("a delay such as 10s", bare: .seconds) else { return }
            page.refresh = delay
        case "hide-version":
            page.hideVersion = true
        case "admin":
            let (condition, ok) = parseCondition(statement, from: 2, keyword: keyword)
            guard ok else { return }
            guard let condition else {
                diagnostics.error(at: statement.endLocation, keyword: keyword, "expected 'if' or 'unless' and a condition (for example 'if LOCALHOST' or 'if TRUE')")
                return
            }
            guard kind != .defaults else {
                diagnostics.error(at: statement.location, keyword: keyword, "not allowed in a 'defaults' section (allowed in: frontend, backend, listen)")
                return
            }
            page.adminConditions.append(condition)
            draft.stats = page
            return
        default:
            diagnostics.error(at: arguments.location(of: option), keyword: keyword,
                              UnsupportedKeywords.message(keyword, origin: .haproxy, reason: "hactl's page supports \(Self.statsOptions.map { "'stats \($0)'" }.joined(separator: ", "))"))
            return
        }
        arguments.expectEnd()
        draft.stats = page
    }
}
