import HACore

extension ProxySectionParser {
    /// Which side of a proxy an `option` acts on.
    private enum Side {
        case frontend, backend, both
    }

    private static let options: [String: Side] = [
        "httplog": .frontend, "tcplog": .frontend, "dontlognull": .frontend, "forwardfor": .both,
        "http-server-close": .both, "httpclose": .both, "http-keep-alive": .both, "redispatch": .backend,
        "httpchk": .backend, "abortonclose": .backend, "http-pretend-keepalive": .backend,
        "http-buffer-request": .both,
    ]

    /// `option NAME ...`.
    func parseOption(_ statement: Statement, negated: Bool, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics, skipping: negated ? 2 : 1)
        guard let name = arguments.require("an option name (\(Self.options.keys.sorted().joined(separator: ", ")))") else { return }
        let spelled = (negated ? "no option " : "option ") + name.text
        arguments.keyword = spelled
        guard let side = Self.options[name.text] else {
            if let reason = UnsupportedKeywords.haproxyOptions[name.text] {
                diagnostics.error(at: statement.location, keyword: spelled, UnsupportedKeywords.message("option \(name.text)", origin: .haproxy, reason: reason))
            } else {
                diagnostics.error(at: arguments.location(of: name), keyword: spelled, "unknown option",
                                  suggestion: KeywordSuggestion.nearest(to: name.text, in: Self.options.keys))
            }
            return
        }
        let applies = switch side {
        case .frontend: kind.acceptsFrontendKeywords
        case .backend: kind.acceptsBackendKeywords
        case .both: true
        }
        guard applies else {
            diagnostics.error(at: statement.location, keyword: spelled,
                              "applies to the \(side == .frontend ? "frontend" : "backend") side and has no effect in a '\(kind.rawValue)' section")
            return
        }
        switch name.text {
        case "httplog":
            draft.httplog = !negated
            // `option httplog` alone clears a `clf` inherited from defaults (configuration manual).
            draft.httplogCLF = false
            if !negated, let clf = arguments.peek, clf.text == "clf" {
                _ = arguments.next()
                draft.httplogCLF = true
            }
        case "tcplog": draft.tcplog = !negated
        case "http-buffer-request": draft.bufferRequest = !negated
        case "abortonclose": draft.abortOnClose = !negated
        case "http-pretend-keepalive": draft.pretendKeepAlive = !negated
        case "dontlognull": draft.dontlognull = !negated
        case "redispatch":
            draft.redispatch = !negated
            if let interval = arguments.peek {
                diagnostics.error(at: arguments.location(of: interval), keyword: spelled, UnsupportedKeywords.message("option redispatch <interval>", origin: .haproxy))
                return
            }
        case "http-server-close":
            draft.connectionMode = negated ? .keepAlive : .serverClose
        case "httpclose":
            draft.connectionMode = negated ? .keepAlive : .close
        case "http-keep-alive":
            draft.connectionMode = negated ? .serverClose : .keepAlive
        case "forwardfor":
            if negated {
                draft.forwardFor = nil
            } else {
                draft.forwardFor = parseForwardFor(&arguments)
                return
            }
        case "httpchk":
            if negated {
                draft.httpCheckEnabled = false
                draft.healthCheck = nil
            } else {
                parseHTTPChk(&arguments, statement: statement, into: &draft)
                return
            }
        default:
            break
        }
        arguments.expectEnd()
    }

    /// `no option NAME` and `no log`.
    func parseNo(_ statement: Statement, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let what = arguments.require("'option' or 'log'") else { return }
        switch what.text {
        case "option":
            parseOption(statement, negated: true, into: &draft)
        case "log":
            draft.logGlobal = false
            draft.logTargets = []
            arguments.keyword = "no log"
            arguments.expectEnd()
        default:
            diagnostics.error(at: arguments.location(of: what), keyword: "no \(what.text)", "'no' applies only to 'option' and 'log' in hactl",
                              suggestion: KeywordSuggestion.nearest(to: what.text, in: ["option", "log"]))
        }
    }

    /// `option forwardfor [except NETWORK] [header NAME] [if-none]`.
    private func parseForwardFor(_ arguments: inout ArgumentReader) -> ForwardFor? {
        var forwardFor = ForwardFor()
        while let word = arguments.next() {
            switch word.text {
            case "except":
                guard let network = arguments.require("a network such as 127.0.0.0/8") else { return nil }
                guard NetworkText.isValid(network.text) else {
                    diagnostics.error(at: arguments.location(of: network), keyword: arguments.keyword, "expected a network such as 127.0.0.0/8, got '\(network.text)'")
                    return nil
                }
                forwardFor.exceptNetwork = network.text
            case "header":
                guard let name = arguments.require("a header name") else { return nil }
                forwardFor.headerName = name.text
            case "if-none":
                forwardFor.ifNone = true
            default:
                diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, "unexpected '\(word.text)': expected 'except', 'header' or 'if-none'",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: ["except", "header", "if-none"]))
                return nil
            }
        }
        return forwardFor
    }
}

/// `ADDRESS[/PREFIX]` text.
enum NetworkText {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let family = IPAddressFamily.of(String(parts[0])) else { return false }
        if parts.count == 2 {
            if let prefix = Int(parts[1]) { return (0...family.maximumPrefixLength).contains(prefix) }
            // HAProxy also takes a dotted netmask for IPv4.
            return family == .ipv4 && IPAddressFamily.isIPv4(String(parts[1]))
        }
        return true
    }
}
