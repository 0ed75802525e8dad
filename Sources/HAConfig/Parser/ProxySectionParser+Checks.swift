import HACore

extension ProxySectionParser {
    /// `option httpchk [METHOD] [URI] [VERSION]`, where VERSION may carry extra header lines
    /// the old way: `HTTP/1.1\r\nHost:\ www`.
    func parseHTTPChk(_ arguments: inout ArgumentReader, statement: Statement, into draft: inout ProxyDraft) {
        var check = draft.healthCheck ?? HTTPCheck()
        check.location = statement.location
        let words = arguments.rest()
        switch words.count {
        case 0:
            break
        case 1:
            check.uri = words[0].text
        case 2, 3:
            check.method = words[0].text
            check.uri = words[1].text
            if words.count == 3 {
                var lines = words[2].text.crlfLines()
                check.version = lines.removeFirst()
                var headers: [HTTPHeaderField] = []
                for line in lines where !line.isEmpty {
                    guard let colon = line.firstIndex(of: ":") else {
                        diagnostics.error(at: statement.location(of: words[2]), keyword: arguments.keyword,
                                          "expected 'Name: value' header lines after the HTTP version, got '\(line)'")
                        return
                    }
                    headers.append(HTTPHeaderField(
                        name: String(line[..<colon]),
                        value: String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
                    ))
                }
                check.headers = headers + check.headers.filter { field in !headers.contains { $0.name.lowercased() == field.name.lowercased() } }
            }
        default:
            diagnostics.error(at: statement.location(of: words[3]), keyword: arguments.keyword,
                              "unexpected '\(words[3].text)': expected at most METHOD URI VERSION (use 'http-check send hdr NAME VALUE' for headers)")
            return
        }
        guard isValidMethod(check.method) else {
            diagnostics.error(at: statement.location(of: words[0]), keyword: arguments.keyword, "expected an HTTP method such as GET, HEAD or OPTIONS, got '\(check.method)'")
            return
        }
        guard check.version.hasPrefix("HTTP/") else {
            diagnostics.error(at: statement.location(of: words[2]), keyword: arguments.keyword, "expected an HTTP version such as HTTP/1.1, got '\(check.version)'")
            return
        }
        draft.healthCheck = check
        draft.httpCheckEnabled = true
    }

    private func isValidMethod(_ method: String) -> Bool {
        !method.isEmpty && method.allSatisfy { $0.isASCII && ($0.isUppercase || $0 == "-") }
    }

    /// `http-check send ...` and `http-check expect ...`.
    func parseHTTPCheck(_ statement: Statement, into draft: inout ProxyDraft) {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let verb = arguments.require("'send' or 'expect'") else { return }
        arguments.keyword = "http-check \(verb.text)"
        draft.httpCheckLocation = draft.httpCheckLocation ?? statement.location
        var check = draft.healthCheck ?? HTTPCheck(location: statement.location)
        switch verb.text {
        case "send":
            while let word = arguments.next() {
                switch word.text {
                case "meth":
                    guard let method = arguments.require("an HTTP method") else { return }
                    guard isValidMethod(method.text) else {
                        diagnostics.error(at: arguments.location(of: method), keyword: arguments.keyword, "expected an HTTP method such as GET or HEAD, got '\(method.text)'")
                        return
                    }
                    check.method = method.text
                case "uri":
                    guard let uri = arguments.require("a request URI") else { return }
                    check.uri = uri.text
                case "ver":
                    guard let version = arguments.require("an HTTP version") else { return }
                    check.version = version.text
                case "hdr":
                    guard let name = arguments.require("a header name"), let value = arguments.require("a header value") else { return }
                    check.headers.append(HTTPHeaderField(name: name.text, value: value.text))
                case "body", "body-lf", "uri-lf", "hdr-lf", "comment":
                    diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, UnsupportedKeywords.message("http-check send \(word.text)", origin: .haproxy))
                    return
                default:
                    diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, "unexpected '\(word.text)': expected 'meth', 'uri', 'ver' or 'hdr'",
                                      suggestion: KeywordSuggestion.nearest(to: word.text, in: ["meth", "uri", "ver", "hdr"]))
                    return
                }
            }
        case "expect":
            var negated = false
            if arguments.peek?.text == "!" {
                negated = true
                _ = arguments.next()
            }
            let kinds = ["status", "rstatus", "string", "rstring"]
            guard let kindWord = arguments.require("one of \(kinds.joined(separator: ", "))") else { return }
            guard let pattern = arguments.require("a pattern") else { return }
            let match: HTTPCheckExpectation.Match
            switch kindWord.text {
            case "status":
                guard pattern.text.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "," }), !pattern.text.isEmpty else {
                    diagnostics.error(at: arguments.location(of: pattern), keyword: arguments.keyword, "expected a status such as 200, 200-399 or 200,301, got '\(pattern.text)'")
                    return
                }
                match = .status(pattern.text)
            case "rstatus":
                guard checkRegex(pattern, arguments: arguments) else { return }
                match = .statusRegex(pattern.text)
            case "string":
                match = .string(pattern.text)
            case "rstring":
                guard checkRegex(pattern, arguments: arguments) else { return }
                match = .stringRegex(pattern.text)
            default:
                diagnostics.error(at: arguments.location(of: kindWord), keyword: arguments.keyword, "expected one of \(kinds.joined(separator: ", ")), got '\(kindWord.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: kindWord.text, in: kinds))
                return
            }
            check.expect = HTTPCheckExpectation(negated: negated, match: match)
            arguments.expectEnd()
        default:
            diagnostics.error(at: arguments.location(of: verb), keyword: arguments.keyword,
                              UnsupportedKeywords.message("http-check \(verb.text)", origin: .haproxy, reason: "hactl supports 'http-check send' and 'http-check expect'"))
            return
        }
        draft.healthCheck = check
    }

    func checkRegex(_ word: Word, arguments: ArgumentReader) -> Bool {
        do {
            _ = try Regex(word.text)
            return true
        } catch {
            diagnostics.error(at: arguments.location(of: word), keyword: arguments.keyword, "invalid regular expression '\(word.text)'")
            return false
        }
    }
}

extension String {
    /// Splits on CRLF (and lone LF), as the old `option httpchk` header trick writes lines.
    func crlfLines() -> [String] {
        var lines: [String] = []
        var current = ""
        var iterator = makeIterator()
        while let character = iterator.next() {
            if character == "\r\n" || character == "\n" {
                lines.append(current)
                current = ""
            } else if character == "\r" {
                continue
            } else {
                current.append(character)
            }
        }
        lines.append(current)
        return lines
    }
}
