import HACore

/// HAProxy `cookie` (cookie-based persistence).
extension ProxySectionParser {
    /// `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve]
    /// [httponly] [secure] [domain D]* [maxidle T] [maxlife T] [attr V]*`.
    func parseCookie(_ statement: Statement) -> CookiePersistence? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let name = arguments.require("a cookie name") else { return nil }
        var cookie = CookiePersistence(name: name.text, location: statement.location)
        var modeWord: Word?
        let flags = ["rewrite", "insert", "prefix", "indirect", "nocache", "postonly", "preserve", "httponly", "secure", "domain", "maxidle", "maxlife", "attr"]
        while let word = arguments.next() {
            switch word.text {
            case "rewrite", "insert", "prefix":
                if let previous = modeWord {
                    diagnostics.error(at: arguments.location(of: word), keyword: "cookie", "'\(word.text)' conflicts with '\(previous.text)': a cookie has one mode")
                    return nil
                }
                modeWord = word
                cookie.mode = CookiePersistence.Mode(rawValue: word.text)!
            case "indirect": cookie.indirect = true
            case "nocache": cookie.nocache = true
            case "postonly": cookie.postonly = true
            case "preserve": cookie.preserve = true
            case "httponly": cookie.httponly = true
            case "secure": cookie.secure = true
            case "domain":
                guard let domain = arguments.require("a cookie domain such as .example.com") else { return nil }
                cookie.domains.append(domain.text)
            case "maxidle", "maxlife":
                // HAProxy: in seconds unless a unit is given.
                guard let value = arguments.duration("a duration", bare: .seconds) else { return nil }
                if word.text == "maxidle" { cookie.maxidle = value } else { cookie.maxlife = value }
            case "attr":
                // HAProxy: any characters but control ones and ';'.
                guard let value = arguments.require("a cookie attribute such as SameSite=Strict") else { return nil }
                guard !value.text.isEmpty, !value.text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == ";" }) else {
                    diagnostics.error(at: arguments.location(of: value), keyword: "cookie", "a cookie attribute may not hold ';' or control characters, got '\(value.text)'")
                    return nil
                }
                cookie.attributes.append(value.text)
            case "dynamic":
                diagnostics.error(at: arguments.location(of: word), keyword: "cookie", UnsupportedKeywords.message("cookie ... \(word.text)", origin: .haproxy))
                return nil
            default:
                diagnostics.error(at: arguments.location(of: word), keyword: "cookie", "unexpected '\(word.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: flags))
                return nil
            }
        }
        if cookie.mode != .insert, cookie.maxidle != nil || cookie.maxlife != nil {
            diagnostics.error(at: statement.location, keyword: "cookie", "maxidle and maxlife work only with 'insert'")
            return nil
        }
        if cookie.mode != .insert, !cookie.attributes.isEmpty {
            diagnostics.error(at: statement.location, keyword: "cookie", "attr works only with 'insert' (it adds attributes to the cookie hactl inserts)")
            return nil
        }
        return cookie
    }
}
