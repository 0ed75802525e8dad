import HACore

/// HAProxy `acl` lines and `if`/`unless` conditions (configuration manual §7).
extension ProxySectionParser {
    /// `acl NAME CRITERION [-i] [-m METHOD] [--] VALUE...`.
    func parseNamedACL(_ statement: Statement) -> ACL? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let name = arguments.require("an ACL name") else { return nil }
        guard name.text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            diagnostics.error(at: arguments.location(of: name), keyword: "acl", "an ACL name may hold only letters, digits, '-', '_', '.' and ':', got '\(name.text)'")
            return nil
        }
        let words = Array(arguments.remaining)
        guard !words.isEmpty else {
            diagnostics.error(at: statement.endLocation, keyword: "acl", "expected a criterion such as path_beg, hdr(host) or src")
            return nil
        }
        return parseACL(name: name.text, words[...], statement: statement, keyword: "acl")
    }

    static let criterionNames = [
        "path", "path_beg", "path_end", "path_sub", "path_dir", "path_reg", "url", "url_beg", "url_end", "url_sub",
        "url_reg", "base", "base_beg", "base_end", "base_sub", "base_dir", "base_reg", "url_param(NAME)", "urlp(NAME)", "hdr(NAME)", "hdr_beg(NAME)", "hdr_end(NAME)", "hdr_sub(NAME)",
        "hdr_reg(NAME)", "hdr_dom(NAME)", "hdr_cnt(NAME)", "method", "src", "dst_port", "ssl_fc", "ssl_fc_sni", "ssl_fc_protocol", "ssl_fc_cipher", "ssl_fc_alpn",
        "ssl_c_used", "ssl_c_verify", "ssl_c_s_dn", "ssl_c_i_dn", "status", "res.hdr(NAME)", "always_true", "always_false",
    ]

    /// Parses CRITERION [FLAGS] VALUES from `words`.
    func parseACL(name: String, _ words: ArraySlice<Word>, statement: Statement, keyword: String) -> ACL? {
        var words = words
        let criterionWord = words.removeFirst()
        let location = statement.location(of: criterionWord)
        guard var criterion = criterion(of: criterionWord.text, location: location, keyword: keyword) else { return nil }
        var acl = ACL(name: name, criterion: criterion, location: statement.location)
        // Flags come before the patterns.
        while let flag = words.first, flag.text.hasPrefix("-"), flag.text.count > 1 {
            words.removeFirst()
            switch flag.text {
            case "-i":
                acl.caseInsensitive = true
            case "--":
                break
            case "-m":
                guard let method = words.first else {
                    diagnostics.error(at: statement.location(of: flag), keyword: keyword, "expected a match method after -m (str, beg, end, sub, reg, dom, dir, found)")
                    return nil
                }
                words.removeFirst()
                guard let matched = applyMatchMethod(method.text, to: criterion) else {
                    diagnostics.error(at: statement.location(of: method), keyword: keyword,
                                      method.text == "found"
                                        ? "'-m found' cannot be combined with '\(criterionWord.text)' in hactl (it tests hdr(NAME) and url_param(NAME); the other fetches are always present)"
                                        : "'-m \(method.text)' cannot be combined with '\(criterionWord.text)' in hactl (expected str, beg, end, sub, dir, reg or dom on path, url, base or hdr)")
                    return nil
                }
                criterion = matched
                acl.criterion = matched
            default:
                diagnostics.error(at: statement.location(of: flag), keyword: keyword,
                                  ["-f", "-u", "-n", "-M"].contains(flag.text) ? UnsupportedKeywords.message("acl flag \(flag.text)", origin: .haproxy) : "unknown ACL flag '\(flag.text)': expected -i, -m or --")
                return nil
            }
            if flag.text == "--" { break }
        }
        acl.values = words.map(\.text)
        if criterion.takesNoValue {
            if let extra = words.first {
                let what = criterion.matchMethod.map { "'\(criterion.haproxyName) -m \($0)' tests presence only and" } ?? "'\(criterion.haproxyName)'"
                diagnostics.error(at: statement.location(of: extra), keyword: keyword, "\(what) takes no value, got '\(extra.text)'")
                return nil
            }
        } else if words.isEmpty {
            diagnostics.error(at: statement.endLocation, keyword: keyword, "expected at least one value to match with '\(criterion.haproxyName)'")
            return nil
        }
        for word in words {
            switch criterion {
            case .source:
                guard NetworkText.isValid(word.text) else {
                    diagnostics.error(at: statement.location(of: word), keyword: keyword, "expected an address or network such as 198.18.0.0/15, got '\(word.text)'")
                    return nil
                }
            case .destinationPort:
                let bounds = word.text.split(separator: ":", omittingEmptySubsequences: false)
                guard bounds.count <= 2, bounds.allSatisfy({ Int($0).map { (0...65535).contains($0) } ?? false }) else {
                    diagnostics.error(at: statement.location(of: word), keyword: keyword, "expected a port or range such as 443 or 8000:8080, got '\(word.text)'")
                    return nil
                }
            case .headerCount, .status, .sslClientVerify:
                guard Int(word.text) != nil || ["eq", "ge", "gt", "le", "lt"].contains(word.text) else {
                    diagnostics.error(at: statement.location(of: word), keyword: keyword, "expected an integer or an operator (eq ge gt le lt), got '\(word.text)'")
                    return nil
                }
            case .pathRegex, .urlRegex, .headerRegex, .baseRegex:
                var reader = ArgumentReader(statement, diagnostics: diagnostics)
                reader.keyword = keyword
                guard checkRegex(word, arguments: reader) else { return nil }
            default:
                break
            }
        }
        return acl
    }

    private func criterion(of text: String, location: SourceLocation, keyword: String) -> ACLCriterion? {
        switch text {
        case "path": return .path
        case "path_beg": return .pathBegins
        case "path_end": return .pathEnds
        case "path_sub": return .pathSubstring
        case "path_dir": return .pathDirectory
        case "path_reg": return .pathRegex
        case "url": return .url
        case "url_beg": return .urlBegins
        case "url_end": return .urlEnds
        case "url_sub": return .urlSubstring
        case "url_reg": return .urlRegex
        case "base": return .base
        case "base_beg": return .baseBegins
        case "base_end": return .baseEnds
        case "base_sub": return .baseSubstring
        case "base_dir": return .baseDirectory
        case "base_reg": return .baseRegex
        case "method": return .method
        case "status": return .status
        case "src": return .source
        case "dst_port": return .destinationPort
        case "ssl_fc": return .sslFC
        case "ssl_fc_sni", "req.ssl_sni": return .sslSNI
        case "ssl_fc_protocol": return .sslProtocol
        case "ssl_fc_cipher": return .sslCipher
        case "ssl_fc_alpn": return .sslALPN
        case "ssl_c_used": return .sslClientUsed
        case "ssl_c_verify": return .sslClientVerify
        case "ssl_c_s_dn": return .sslClientSubjectDN
        case "ssl_c_i_dn": return .sslClientIssuerDN
        case "always_true": return .alwaysTrue
        case "always_false": return .alwaysFalse
        default: break
        }
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let function = String(text[..<open])
            let argument = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            if argument.isEmpty || argument.contains(",") {
                diagnostics.error(at: location, keyword: keyword, "expected one header or parameter name in '\(function)(...)', got '\(argument)'")
                return nil
            }
            switch function {
            case "hdr", "req.hdr": return .header(argument)
            case "hdr_beg": return .headerBegins(argument)
            case "hdr_end": return .headerEnds(argument)
            case "hdr_sub": return .headerSubstring(argument)
            case "hdr_reg": return .headerRegex(argument)
            case "hdr_dom": return .headerDomain(argument)
            case "hdr_cnt", "req.hdr_cnt": return .headerCount(argument)
            case "res.hdr", "shdr": return .responseHeader(argument)
            case "url_param", "urlp": return .urlParam(argument)
            default: break
            }
        }
        if text.contains(",") {
            diagnostics.error(at: location, keyword: keyword, UnsupportedKeywords.message("converters in ACLs ('\(text)')", origin: .haproxy))
            return nil
        }
        diagnostics.error(at: location, keyword: keyword, "unknown ACL criterion '\(text)'",
                          suggestion: KeywordSuggestion.nearest(to: text, in: Self.criterionNames.map { $0.replacing("(NAME)", with: "") }))
        return nil
    }

    private func applyMatchMethod(_ method: String, to criterion: ACLCriterion) -> ACLCriterion? {
        switch (criterion, method) {
        case (.path, "str"): .path
        case (.path, "beg"): .pathBegins
        case (.path, "end"): .pathEnds
        case (.path, "sub"): .pathSubstring
        case (.path, "dir"): .pathDirectory
        case (.path, "reg"): .pathRegex
        case (.url, "str"): .url
        case (.url, "beg"): .urlBegins
        case (.url, "end"): .urlEnds
        case (.url, "sub"): .urlSubstring
        case (.url, "reg"): .urlRegex
        case (.base, "str"): .base
        case (.base, "beg"): .baseBegins
        case (.base, "end"): .baseEnds
        case (.base, "sub"): .baseSubstring
        case (.base, "dir"): .baseDirectory
        case (.base, "reg"): .baseRegex
        case (.header(let name), "found"): .headerFound(name)
        case (.urlParam(let name), "found"): .urlParamFound(name)
        case (.header(let name), "str"): .header(name)
        case (.header(let name), "beg"): .headerBegins(name)
        case (.header(let name), "end"): .headerEnds(name)
        case (.header(let name), "sub"): .headerSubstring(name)
        case (.header(let name), "reg"): .headerRegex(name)
        case (.header(let name), "dom"): .headerDomain(name)
        case (.sslSNI, "str"): .sslSNI
        case (.sslProtocol, "str"): .sslProtocol
        case (.sslCipher, "str"): .sslCipher
        case (.sslALPN, "str"): .sslALPN
        case (.sslClientSubjectDN, "str"): .sslClientSubjectDN
        case (.sslClientIssuerDN, "str"): .sslClientIssuerDN
        case (.method, "str"): .method
        default: nil
        }
    }

    /// `if|unless TERM...`: words from `start` on; `nil` with no error if there is no condition.
    func parseCondition(_ statement: Statement, from start: Int, keyword: String) -> (condition: Condition?, ok: Bool) {
        let words = statement.words
        guard start < words.count else { return (nil, true) }
        let head = words[start]
        guard let kind = Condition.Kind(rawValue: head.text) else {
            diagnostics.error(at: statement.location(of: head), keyword: keyword, "unexpected '\(head.text)': expected 'if' or 'unless' and a condition")
            return (nil, false)
        }
        var alternatives: [[Condition.Term]] = [[]]
        var index = start + 1
        while index < words.count {
            let word = words[index]
            index += 1
            if word.text == "||" || word.text == "or" {
                guard !alternatives[alternatives.count - 1].isEmpty else {
                    diagnostics.error(at: statement.location(of: word), keyword: keyword, "'\(word.text)' needs a condition on its left")
                    return (nil, false)
                }
                alternatives.append([])
                continue
            }
            var text = Substring(word.text)
            var negated = false
            if text.hasPrefix("!") {
                negated = true
                text = text.dropFirst()
                if text.isEmpty {
                    guard index < words.count else {
                        diagnostics.error(at: statement.location(of: word), keyword: keyword, "'!' must be followed by an ACL name or '{ ... }'")
                        return (nil, false)
                    }
                    text = Substring(words[index].text)
                    index += 1
                }
            }
            if text == "{" {
                guard let close = words[index...].firstIndex(where: { $0.text == "}" }) else {
                    diagnostics.error(at: statement.location(of: word), keyword: keyword, "anonymous ACL opened with '{' is not closed: expected ' }'")
                    return (nil, false)
                }
                guard close > index else {
                    diagnostics.error(at: statement.location(of: word), keyword: keyword, "empty anonymous ACL '{ }': expected a criterion such as ssl_fc")
                    return (nil, false)
                }
                guard let acl = parseACL(name: "", words[index..<close], statement: statement, keyword: keyword) else { return (nil, false) }
                var anonymous = acl
                anonymous.location = statement.location(of: word)
                alternatives[alternatives.count - 1].append(Condition.Term(negated: negated, acl: .anonymous(anonymous), location: statement.location(of: word)))
                index = close + 1
            } else if text.hasPrefix("{") || text.hasSuffix("}") {
                diagnostics.error(at: statement.location(of: word), keyword: keyword, "braces of an anonymous ACL need blanks around them, as in '{ ssl_fc }'")
                return (nil, false)
            } else {
                alternatives[alternatives.count - 1].append(Condition.Term(negated: negated, acl: .named(String(text)), location: statement.location(of: word)))
            }
        }
        guard !alternatives[alternatives.count - 1].isEmpty else {
            diagnostics.error(at: statement.endLocation, keyword: keyword, "expected an ACL name or '{ ... }' after '\(words[index - 1].text)'")
            return (nil, false)
        }
        return (Condition(kind: kind, alternatives: alternatives, location: statement.location(of: head)), true)
    }
}
