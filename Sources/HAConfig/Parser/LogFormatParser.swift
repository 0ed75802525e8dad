import HACore

/// Why a log-format string was refused: the message, the character it points at (an offset into
/// the string) and, for a misspelt name, the nearest valid one.
public struct LogFormatError: Error, Sendable, Equatable {
    public var offset: Int
    public var message: String
    public var suggestion: String?
}

/// Reads an HAProxy log-format string (configuration manual §8.2.4) into a `LogFormat`, refusing
/// anything hactl would otherwise have to send literally or evaluate wrongly: an unknown or
/// unsupported fetch, converter or variable, a variable only known after the response, a lone `%`.
///
/// HAProxy facts it follows: a variable name is the letters after `%` (`%ci:%cp` is two
/// variables); `%%` is one percent; `%[` runs to its `]` outside parentheses, a `]` after that is
/// text; a sample expression has no blanks (HAProxy reads `%[src, lower]` as the converter ` lower`).
struct LogFormatParser {
    /// What the string is, for messages: "set-header value", "redirect location".
    var what: String
    /// Whether the backend is known where the string is evaluated (a backend or listen section);
    /// a frontend's `http-request` rules run before `use_backend` picks one.
    var backendKnown: Bool
    /// The location of the character at an offset.
    var locate: (Int) -> SourceLocation
    /// Whether a response exists where the string is evaluated (`http-response` rules, `log-format`):
    /// allows `status` and `res.hdr`.
    var responseKnown = false
    /// A `log-format` line: evaluated when the exchange is over, so every variable is known,
    /// but the response's header fields are no longer kept (`res.hdr` is refused: capture them).
    var forLog = false

    static let fetchNames = [
        "src", "src_port", "dst", "dst_port", "req.hdr", "hdr", "req.fhdr", "path", "url", "query", "method", "base",
        "req.ver", "fe_name", "be_name", "ssl_fc", "ssl_fc_sni", "ssl_fc_protocol", "ssl_fc_cipher", "ssl_fc_alpn", "ssl_c_used", "ssl_c_verify", "ssl_c_s_dn", "ssl_c_i_dn",
        "var", "status", "res.hdr", "uuid", "req.cook", "cook", "url_param", "urlp",
    ]
    static let converterNames = ["lower", "upper", "base64", "hex", "field", "word"]

    /// HAProxy variables known only once a server is chosen, which happens after `http-request` rules.
    static let serverTimeVariables: Set<String> = ["s", "si", "sp", "bi", "bp", "Tw", "Tc", "sc", "sq", "bq", "bc", "rc", "lc"]
    /// HAProxy variables known only once the response arrived (or the exchange ended).
    static let responseTimeVariables: Set<String> = [
        "ST", "B", "Tr", "Ta", "Tt", "Td", "Th", "ts", "tsc", "CS", "hs", "hsl", "U", "Tq", "TR", "Ti",
    ]
    /// Other HAProxy variables hactl does not evaluate, with the reason when there is one.
    static let unsupportedVariables: [String: String] = [
        "rt": "request counters are per event loop in hactl", "hrl": "use %hr", "hsl": "use %hs",
        "trg": "use %T", "trl": "use %t", "Tl": "use %T", "ms": "use %t", "o": "hactl has no format flags",
        "HPO": "use %HP", "HQO": "use %HQ", "HUO": "use %HU",
    ]
    /// HAProxy fetches and converters people reach for that hactl does not evaluate yet.
    static let unsupportedFetches: Set<String> = [
        "str", "int", "uuid", "rand", "date", "hdr_ip",
        "req.hdr_cnt", "hdr_cnt", "capture.req.hdr", "req.body", "http_auth", "req.hdrs",
        "ssl_c_s_dn", "env", "hostname", "pathq", "url_ip", "url_port",
    ]
    static let unsupportedConverters: [String: String] = [
        "regsub": "a regular expression per request is not cheap enough for the hactl data path yet",
        "json": "", "url_dec": "", "url_enc": "", "sha1": "", "sha2": "", "crc32": "", "djb2": "", "map": "",
        "map_str": "", "ipmask": "", "concat": "", "bytes": "", "length": "", "ltrim": "", "rtrim": "", "b64dec": "",
    ]

    init(what: String, backendKnown: Bool, locate: @escaping (Int) -> SourceLocation) {
        self.what = what
        self.backendKnown = backendKnown
        self.locate = locate
    }

    func parse(_ text: String) throws(LogFormatError) -> LogFormat {
        let characters = Array(text)
        var segments: [LogFormat.Segment] = []
        var literal = ""
        func flush() {
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = ""
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "%" else {
                literal.append(character)
                index += 1
                continue
            }
            guard index + 1 < characters.count else {
                throw LogFormatError(offset: index, message: "the \(what) ends with a lone '%': write '%%' for a literal percent")
            }
            let next = characters[index + 1]
            if next == "%" {
                literal.append("%")
                index += 2
            } else if next == "[" {
                guard let close = Self.closingBracket(characters, from: index + 2) else {
                    throw LogFormatError(offset: index, message: "missing ']' after '\(String(characters[index...]))' in \(what)")
                }
                flush()
                segments.append(.sample(try expression(characters, from: index + 2, to: close)))
                index = close + 1
            } else if next == "{" {
                // `%{+Q}VAR`: the value between double quotes; no other flag is supported.
                guard let close = characters[(index + 2)...].firstIndex(of: "}"), String(characters[(index + 2)..<close]) == "+Q" else {
                    throw LogFormatError(offset: index, message: "log-format flags other than '%{+Q}' are not supported by hactl in \(what)")
                }
                let start = close + 1
                flush()
                if start < characters.count, characters[start] == "[" {
                    guard let end = Self.closingBracket(characters, from: start + 1) else {
                        throw LogFormatError(offset: start, message: "missing ']' after '\(String(characters[start...]))' in \(what)")
                    }
                    segments.append(.literal("\""))
                    segments.append(.sample(try expression(characters, from: start + 1, to: end)))
                    segments.append(.literal("\""))
                    index = end + 1
                } else {
                    var end = start
                    while end < characters.count, characters[end].isASCII, characters[end].isLetter { end += 1 }
                    guard end > start else {
                        throw LogFormatError(offset: start, message: "expected a variable or '%[' after '%{+Q}' in \(what)")
                    }
                    segments.append(.literal("\""))
                    segments.append(.variable(try variable(String(characters[start..<end]), at: start), location: locate(start)))
                    segments.append(.literal("\""))
                    index = end
                }
            } else if next.isASCII && next.isLetter {
                var end = index + 1
                while end < characters.count, characters[end].isASCII, characters[end].isLetter { end += 1 }
                let name = String(characters[(index + 1)..<end])
                flush()
                segments.append(.variable(try variable(name, at: index), location: locate(index)))
                index = end
            } else {
                throw LogFormatError(offset: index, message: "'%\(next)' is not a log-format variable in \(what): write '%%' for a literal percent (as in %%20)")
            }
        }
        flush()
        return LogFormat(text: text, segments: segments)
    }

    /// The index of the `]` that closes a sample expression starting at `start`.
    private static func closingBracket(_ characters: [Character], from start: Int) -> Int? {
        var depth = 0
        for index in start..<characters.count {
            switch characters[index] {
            case "(": depth += 1
            case ")": depth = max(depth - 1, 0)
            case "]" where depth == 0: return index
            default: break
            }
        }
        return nil
    }

    private func variable(_ name: String, at offset: Int) throws(LogFormatError) -> LogFormatVariable {
        if let variable = LogFormatVariable(rawValue: name), forLog || !variable.isLogOnly {
            if variable == .backendName && !backendKnown {
                throw LogFormatError(offset: offset, message: "'%b' is not known in a frontend's http-request rules (the backend is chosen after them): use it in the backend's rules")
            }
            return variable
        }
        if Self.responseTimeVariables.contains(name) {
            throw LogFormatError(offset: offset, message: "'%\(name)' is known only after the response, not when the \(what) is built")
        }
        if Self.serverTimeVariables.contains(name) {
            throw LogFormatError(offset: offset, message: "'%\(name)' is known only once a server is chosen, after http-request rules run: it cannot be used in \(what)")
        }
        if LogFormatVariable(rawValue: name) != nil {
            throw LogFormatError(offset: offset, message: "'%\(name)' is a log variable: it can be used in log-format, not in \(what)")
        }
        if let reason = Self.unsupportedVariables[name] {
            throw LogFormatError(offset: offset, message: "log-format variable '%\(name)' is not supported by hactl in \(what) (\(reason))")
        }
        throw LogFormatError(offset: offset, message: "unknown log-format variable '%\(name)' in \(what) (write '%%' for a literal percent)",
                             suggestion: KeywordSuggestion.nearest(to: name, in: LogFormatVariable.allCases.map(\.rawValue)).map { "%" + $0 })
    }

    /// One `NAME(ARG,...)` of a sample expression, with the offsets of its parts.
    private struct Call {
        var name: String
        var nameOffset: Int
        var arguments: [(text: String, offset: Int)]?
    }

    /// Cuts `characters[start..<end]` into the fetch call and the converter calls.
    private func calls(_ characters: [Character], from start: Int, to end: Int) throws(LogFormatError) -> [Call] {
        var calls: [Call] = []
        var index = start
        while true {
            let nameStart = index
            while index < end, !["(", ",", " ", "\t"].contains(characters[index]) { index += 1 }
            let name = String(characters[nameStart..<index])
            if index < end, characters[index] == " " || characters[index] == "\t" {
                throw LogFormatError(offset: index, message: "a sample expression takes no blanks ('\(String(characters[start..<end]))' in \(what)): write it as in '%[req.hdr(host),lower]'")
            }
            if name.isEmpty {
                throw LogFormatError(offset: nameStart, message: calls.isEmpty
                    ? "expected a sample fetch such as src or req.hdr(host) after '%[' in \(what)"
                    : "expected a converter such as lower after ',' in \(what)")
            }
            var call = Call(name: name, nameOffset: nameStart, arguments: nil)
            if index < end, characters[index] == "(" {
                guard let close = characters[(index + 1)..<end].firstIndex(of: ")") else {
                    throw LogFormatError(offset: index, message: "missing ')' after '\(String(characters[nameStart..<end]))' in \(what)")
                }
                var arguments: [(text: String, offset: Int)] = []
                var argumentStart = index + 1
                for position in (index + 1)...close where position == close || characters[position] == "," {
                    arguments.append((String(characters[argumentStart..<position]), argumentStart))
                    argumentStart = position + 1
                }
                call.arguments = arguments
                index = close + 1
            }
            calls.append(call)
            if index == end { return calls }
            guard characters[index] == "," else {
                throw LogFormatError(offset: index, message: "expected ',' or ']' after '\(String(characters[start..<index]))' in \(what), got '\(characters[index])'")
            }
            index += 1
        }
    }

    /// A bare sample expression (`req.hdr(host),lower`), as `set-var` takes it.
    func parseExpression(_ text: String) throws(LogFormatError) -> SampleExpression {
        let characters = Array(text)
        guard !characters.isEmpty else {
            throw LogFormatError(offset: 0, message: "expected a sample expression such as req.hdr(host),lower in \(what)")
        }
        var parsed = try expression(characters, from: 0, to: characters.count)
        parsed.text = text
        return parsed
    }

    private func expression(_ characters: [Character], from start: Int, to end: Int) throws(LogFormatError) -> SampleExpression {
        let calls = try calls(characters, from: start, to: end)
        let fetch = try fetch(calls[0])
        var converters: [SampleConverter] = []
        for call in calls.dropFirst() { converters.append(try converter(call)) }
        return SampleExpression(fetch: fetch, converters: converters, location: locate(start))
    }

    private func noArguments(_ call: Call, kind: String) throws(LogFormatError) {
        if let arguments = call.arguments, !(arguments.count == 1 && arguments[0].text.isEmpty) {
            throw LogFormatError(offset: arguments[0].offset, message: "\(kind) '\(call.name)' takes no arguments in \(what)")
        }
    }

    private func integer(_ argument: (text: String, offset: Int), of call: Call, _ what: String) throws(LogFormatError) -> Int {
        guard let value = Int(argument.text), value != 0 else {
            throw LogFormatError(offset: argument.offset, message: "expected \(what) (a non-zero integer; negative counts from the end) in '\(call.name)', got '\(argument.text)'")
        }
        return value
    }

    private func fetch(_ call: Call) throws(LogFormatError) -> SampleFetch {
        let simple: SampleFetch? = switch call.name {
        case "src": .source
        case "src_port": .sourcePort
        case "dst": .destination
        case "dst_port": .destinationPort
        case "path": .path
        case "url": .url
        case "query": .query
        case "method": .method
        case "base": .base
        case "req.ver": .requestVersion
        case "fe_name": .frontendName
        case "be_name": .backendName
        case "ssl_fc": .sslFrontConnection
        case "ssl_fc_sni", "req.ssl_sni": .sslServerName
        case "status": .status
        case "uuid": .uuid
        case "ssl_fc_protocol": .sslProtocol
        case "ssl_fc_cipher": .sslCipher
        case "ssl_fc_alpn": .sslALPN
        case "ssl_c_used": .sslClientUsed
        case "ssl_c_verify": .sslClientVerify
        case "ssl_c_s_dn": .sslClientSubjectDN
        case "ssl_c_i_dn": .sslClientIssuerDN
        default: nil
        }
        if simple == .uuid, let arguments = call.arguments, arguments.count == 1, arguments[0].text == "4" {
            return .uuid
        }
        if let simple {
            try noArguments(call, kind: "sample fetch")
            if simple == .status && !responseKnown && !forLog {
                throw LogFormatError(offset: call.nameOffset, message: "'status' is known only once the response arrived, not in \(what)")
            }
            if simple == .backendName && !backendKnown {
                throw LogFormatError(offset: call.nameOffset, message: "'be_name' is not known in a frontend's http-request rules (the backend is chosen after them): use it in the backend's rules")
            }
            return simple
        }
        switch call.name {
        case "var":
            guard let arguments = call.arguments, arguments.count == 1, let variable = VariableName(parsing: arguments[0].text) else {
                throw LogFormatError(offset: call.arguments?.first?.offset ?? call.nameOffset,
                                     message: "expected var(SCOPE.NAME) with SCOPE one of sess, txn, req in \(what), as in var(txn.user)")
            }
            return .variable(variable)
        case "res.hdr":
            if forLog {
                throw LogFormatError(offset: call.nameOffset, message: "'res.hdr' is not kept until the log line: use 'capture response header NAME len N' and %hs")
            }
            guard responseKnown else {
                throw LogFormatError(offset: call.nameOffset, message: "'res.hdr' is known only once the response arrived, not in \(what)")
            }
            guard let arguments = call.arguments, let name = arguments.first, !name.text.isEmpty, arguments.count <= 2 else {
                throw LogFormatError(offset: call.nameOffset, message: "expected a header name in 'res.hdr(NAME[,OCC])' in \(what)")
            }
            let occurrence = arguments.count == 2 ? try integer(arguments[1], of: call, "an occurrence") : -1
            return .responseHeader(name: name.text, occurrence: occurrence)
        case "req.cook", "cook", "url_param", "urlp":
            guard let arguments = call.arguments, arguments.count == 1, !arguments[0].text.isEmpty else {
                throw LogFormatError(offset: call.nameOffset, message: "expected a name in '\(call.name)(NAME)' in \(what)")
            }
            return call.name.hasSuffix("cook") ? .cookie(name: arguments[0].text) : .urlParameter(name: arguments[0].text)
        case "req.hdr", "hdr", "req.fhdr":
            guard let arguments = call.arguments, let name = arguments.first, !name.text.isEmpty else {
                throw LogFormatError(offset: call.nameOffset, message: "expected a header name in '\(call.name)(NAME[,OCC])' in \(what)")
            }
            guard arguments.count <= 2 else {
                throw LogFormatError(offset: arguments[2].offset, message: "'\(call.name)' takes a header name and an occurrence, got '\(arguments[2].text)' too")
            }
            let occurrence = arguments.count == 2 ? try integer(arguments[1], of: call, "an occurrence") : -1
            return call.name == "req.fhdr" ? .fullHeader(name: name.text, occurrence: occurrence) : .header(name: name.text, occurrence: occurrence)
        default:
            if Self.unsupportedFetches.contains(call.name) {
                throw LogFormatError(offset: call.nameOffset, message: "sample fetch '\(call.name)' is not supported by hactl in \(what) (supported: \(Self.fetchNames.joined(separator: ", ")))")
            }
            throw LogFormatError(offset: call.nameOffset, message: "unknown sample fetch '\(call.name)' in \(what)",
                                 suggestion: KeywordSuggestion.nearest(to: call.name, in: Self.fetchNames))
        }
    }

    private func converter(_ call: Call) throws(LogFormatError) -> SampleConverter {
        switch call.name {
        case "lower", "upper", "base64", "hex":
            try noArguments(call, kind: "converter")
            return call.name == "lower" ? .lower : call.name == "upper" ? .upper : call.name == "base64" ? .base64 : .hex
        case "field", "word":
            guard let arguments = call.arguments, arguments.count == 2 else {
                throw LogFormatError(offset: call.nameOffset, message: "'\(call.name)' takes two arguments in hactl: \(call.name)(INDEX,SEPARATORS), as in \(call.name)(2,:)")
            }
            let index = try integer(arguments[0], of: call, "an index")
            guard !arguments[1].text.isEmpty else {
                throw LogFormatError(offset: arguments[1].offset, message: "expected at least one separator character in '\(call.name)'")
            }
            return call.name == "field" ? .field(index: index, separators: arguments[1].text) : .word(index: index, separators: arguments[1].text)
        default:
            if let reason = Self.unsupportedConverters[call.name] {
                throw LogFormatError(offset: call.nameOffset, message: "converter '\(call.name)' is not supported by hactl in \(what)" + (reason.isEmpty ? "" : " (\(reason))"))
            }
            throw LogFormatError(offset: call.nameOffset, message: "unknown converter '\(call.name)' in \(what)",
                                 suggestion: KeywordSuggestion.nearest(to: call.name, in: Self.converterNames))
        }
    }
}

extension LogFormat {
    /// Parses `text` as a log-format string outside a configuration file (locations are built in,
    /// an error's `offset` says where). `backendKnown` allows `%b` and `be_name`.
    public init(parsing text: String, backendKnown: Bool = true) throws(LogFormatError) {
        self = try LogFormatParser(what: "value", backendKnown: backendKnown, locate: { _ in .builtIn }).parse(text)
    }

    /// Parses `text` as a `log-format` line, where every variable of the finished exchange is known.
    public init(parsingLogLine text: String) throws(LogFormatError) {
        var parser = LogFormatParser(what: "log-format", backendKnown: true, locate: { _ in .builtIn })
        parser.forLog = true
        self = try parser.parse(text)
    }
}
