package import NIOCore

/// A condition after `if` / `unless` (HAProxy §7.2): named ACLs, anonymous `{ }` ACLs,
/// `!` negation, implicit AND between terms, `||` between AND groups.
package indirect enum Condition: Sendable {
    case always
    case test(ACLTest)
    case not(Condition)
    case all([Condition])
    case any([Condition])

    package func evaluate(_ request: RequestFacts) -> Bool {
        switch self {
        case .always: true
        case .test(let test): test.matches(request)
        case .not(let inner): !inner.evaluate(request)
        case .all(let terms): terms.allSatisfy { $0.evaluate(request) }
        case .any(let terms): terms.contains { $0.evaluate(request) }
        }
    }
}

/// What ACLs and log-format strings look at: the request head and the connection.
package struct RequestFacts {
    package var head: HTTPRequestHead
    package var source: SocketAddress?
    /// `ssl_fc`: the client came in over TLS.
    package var tls: Bool
    /// `ssl_fc_sni`: the server name the client sent in its TLS handshake.
    package var tlsServerName: String?
    /// `ssl_fc_protocol`: `TLSv1.2`, `TLSv1.3`.
    package var tlsProtocol: String?
    /// `ssl_fc_cipher`: OpenSSL's name of the agreed cipher.
    package var tlsCipher: String?
    /// `ssl_fc_alpn`: the agreed ALPN protocol.
    package var tlsALPN: String?
    /// `ssl_c_used`, `ssl_c_verify`, `ssl_c_s_dn`, `ssl_c_i_dn`: the client certificate.
    package var tlsClientCertificateUsed = false
    package var tlsClientVerify: Int?
    package var tlsClientSubjectDN: String?
    package var tlsClientIssuerDN: String?
    /// The port the client connected to (`dst_port`).
    package var destinationPort: Int?
    /// The local address the client connected to (`dst`, `%fi`).
    package var destination: SocketAddress?
    /// The frontend that received the request (`fe_name`, `%f` in a backend's rules).
    package var frontendName: String
    /// The wall clock for `%t`, `%T`, `%Ts`, in nanoseconds since the epoch; `nil` reads the clock
    /// when (and only when) a string needs it.
    package var wallClockNanoseconds: Int64?
    /// `txn.`/`req.` variables by slot (empty until a `set-var` runs: no allocation otherwise).
    var variables: [SampleValue] = []
    /// `sess.` variables by slot, carried by the client connection from request to request.
    var sessionVariables: [SampleValue] = []
    /// The response, for `http-response` rules, `status` and `res.hdr` (nil on the request side).
    package var response: HTTPResponseHead?
    /// `%ID` (`unique-id-format`), made once when the request head is in.
    package var uniqueID: String?
    /// The finished exchange, for a `log-format` line (nil elsewhere).
    var log: HTTPLogLine?

    package init(head: HTTPRequestHead, source: SocketAddress?, tls: Bool = false, destinationPort: Int? = nil,
                 destination: SocketAddress? = nil, frontendName: String = "", wallClockNanoseconds: Int64? = nil) {
        self.head = head
        self.source = source
        self.tls = tls
        self.destinationPort = destinationPort
        self.destination = destination
        self.frontendName = frontendName
        self.wallClockNanoseconds = wallClockNanoseconds
    }
}

extension RequestFacts {
    /// `set-var`: the value kept in its slot (arrays grow to the slot on first use).
    mutating func store(_ value: SampleValue, in slot: VariableSlot) {
        // A substring of a header would keep the whole head alive and change with it: keep text.
        let kept: SampleValue = if case .text(let text) = value { .text(Substring(String(text))) } else { value }
        if slot.session {
            while sessionVariables.count <= slot.index { sessionVariables.append(.absent) }
            sessionVariables[slot.index] = kept
        } else {
            while variables.count <= slot.index { variables.append(.absent) }
            variables[slot.index] = kept
        }
    }

    /// `var(...)`: absent until set.
    func variable(_ slot: VariableSlot) -> SampleValue {
        let values = slot.session ? sessionVariables : variables
        return slot.index < values.count ? values[slot.index] : .absent
    }
}

/// One `acl NAME CRITERION [-i] VALUE...` line; several values match if any matches.
package struct ACLTest: Sendable {
    package var criterion: ACLCriterion
    package var values: [String]
    /// `-i`: ignore case.
    package var ignoreCase: Bool
    let networks: [CIDR]
    let regexes: [RegexBox]

    package init(criterion: ACLCriterion, values: [String], ignoreCase: Bool = false) throws {
        self.criterion = criterion
        self.values = ignoreCase ? values.map { $0.lowercased() } : values
        self.ignoreCase = ignoreCase
        switch criterion {
        case .src:
            networks = try values.map { value in
                guard let network = CIDR(value) else { throw ProxyError("acl: '\(value)' is not an address or network") }
                return network
            }
            regexes = []
        case .pathReg, .headerRegex, .urlReg, .baseReg:
            networks = []
            regexes = try values.map { try RegexBox(pattern: $0, ignoreCase: ignoreCase) }
        default:
            networks = []
            regexes = []
        }
    }

    package func matches(_ request: RequestFacts) -> Bool {
        switch criterion {
        case .alwaysTrue:
            return true
        case .alwaysFalse:
            return false
        case .sslSNI:
            guard let name = request.tlsServerName else { return false }
            return matchString(Substring(name)) { s, v in s == v }
        case .sslProtocol:
            guard let version = request.tlsProtocol else { return false }
            return matchString(Substring(version)) { s, v in s == v }
        case .sslCipher:
            guard let cipher = request.tlsCipher else { return false }
            return matchString(Substring(cipher)) { s, v in s == v }
        case .sslALPN:
            guard let alpn = request.tlsALPN else { return false }
            return matchString(Substring(alpn)) { s, v in s == v }
        case .sslClientUsed:
            return request.tlsClientCertificateUsed
        case .sslClientVerify:
            guard let result = request.tlsClientVerify else { return false }
            return Self.integerMatch(result, values)
        case .sslClientSubjectDN:
            guard let name = request.tlsClientSubjectDN else { return false }
            return matchString(Substring(name)) { s, v in s == v }
        case .sslClientIssuerDN:
            guard let name = request.tlsClientIssuerDN else { return false }
            return matchString(Substring(name)) { s, v in s == v }
        case .headerCount(let name):
            return Self.integerMatch(request.head.fields.occurrences(name), values)
        case .status:
            guard let status = request.response?.status else { return false }
            return Self.integerMatch(status, values)
        case .responseHeader(let name):
            guard let response = request.response else { return false }
            return response.fields.values(name).contains { value in matchString(Substring(value)) { s, v in s == v } }
        case .destinationPort:
            guard let port = request.destinationPort else { return false }
            return values.contains { value in
                let bounds = value.split(separator: ":", maxSplits: 1).compactMap { Int($0) }
                if bounds.count == 2 { return (bounds[0]...max(bounds[0], bounds[1])).contains(port) }
                return bounds.first == port
            }
        case .pathDirectory:
            return matchString(request.head.path) { s, v in s.split(separator: "/").contains { $0 == v } }
        case .url:
            return matchString(Substring(request.head.target)) { s, v in s == v }
        case .urlBeginning:
            return matchString(Substring(request.head.target)) { s, v in s.hasPrefix(v) }
        case .urlEnd:
            return matchString(Substring(request.head.target)) { s, v in s.hasSuffix(v) }
        case .urlSubstring:
            return matchString(Substring(request.head.target)) { s, v in s.contains(v) }
        case .urlReg:
            return regexes.contains { $0.matches(Substring(request.head.target)) }
        case .base:
            return matchString(Self.base(of: request.head)) { s, v in s == v }
        case .baseBeginning:
            return matchString(Self.base(of: request.head)) { s, v in s.hasPrefix(v) }
        case .baseEnd:
            return matchString(Self.base(of: request.head)) { s, v in s.hasSuffix(v) }
        case .baseSubstring:
            return matchString(Self.base(of: request.head)) { s, v in s.contains(v) }
        case .baseDirectory:
            return matchString(Self.base(of: request.head)) { s, v in s.split(separator: "/").contains { $0 == v } }
        case .baseReg:
            return regexes.contains { $0.matches(Self.base(of: request.head)) }
        case .urlParameterPresent(let name):
            guard let query = request.head.query else { return false }
            return query.split(separator: "&").contains { pair in
                pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first == Substring(name)
            }
        case .urlParameter(let name):
            guard let query = request.head.query else { return false }
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.first == Substring(name) {
                    let value = parts.count == 2 ? parts[1] : ""
                    if matchString(value, { s, v in s == v }) { return true }
                }
            }
            return false
        case .sslFc:
            return request.tls
        case .src:
            guard let source = request.source else { return false }
            return networks.contains { $0.contains(source) }
        case .method:
            return values.contains { ignoreCase ? request.head.method.lowercased() == $0 : request.head.method == $0 }
        case .path:
            return matchString(request.head.path) { s, v in s == v }
        case .pathBeginning:
            return matchString(request.head.path) { s, v in s.hasPrefix(v) }
        case .pathEnd:
            return matchString(request.head.path) { s, v in s.hasSuffix(v) }
        case .pathSubstring:
            return matchString(request.head.path) { s, v in s.contains(v) }
        case .pathReg:
            return regexes.contains { $0.matches(request.head.path) }
        case .header(let name):
            return request.head.fields.values(name).contains { value in matchString(Substring(value)) { s, v in s == v } }
        case .headerBeginning(let name):
            return request.head.fields.values(name).contains { value in matchString(Substring(value)) { s, v in s.hasPrefix(v) } }
        case .headerEnd(let name):
            return request.head.fields.values(name).contains { value in matchString(Substring(value)) { s, v in s.hasSuffix(v) } }
        case .headerSubstring(let name):
            return request.head.fields.values(name).contains { value in matchString(Substring(value)) { s, v in s.contains(v) } }
        case .headerDomain(let name):
            return request.head.fields.values(name).contains { value in matchString(Substring(value)) { s, v in Self.domainMatch(s, v) } }
        case .headerRegex(let name):
            return request.head.fields.values(name).contains { value in regexes.contains { $0.matches(Substring(value)) } }
        case .headerPresent(let name):
            return request.head.fields.contains(name)
        }
    }

    /// HAProxy's `base`: the first Host header followed by the path; the path alone without Host.
    static func base(of head: HTTPRequestHead) -> Substring {
        guard let host = head.fields.first("host"), !host.isEmpty else { return head.path }
        return Substring(host + head.path)
    }

    /// HAProxy integer matching: `[eq|ge|gt|le|lt] N` pairs, or plain values (any equal).
    static func integerMatch(_ value: Int, _ patterns: [String]) -> Bool {
        var i = 0
        while i < patterns.count {
            let word = patterns[i]
            if ["eq", "ge", "gt", "le", "lt"].contains(word), i + 1 < patterns.count, let n = Int(patterns[i + 1]) {
                let hit = switch word {
                case "eq": value == n
                case "ge": value >= n
                case "gt": value > n
                case "le": value <= n
                default: value < n
                }
                if hit { return true }
                i += 2
            } else {
                if Int(word) == value { return true }
                i += 1
            }
        }
        return false
    }

    private func matchString(_ subject: Substring, _ predicate: (Substring, String) -> Bool) -> Bool {
        let s = ignoreCase ? Substring(subject.lowercased()) : subject
        return values.contains { predicate(s, $0) }
    }

    /// `_dom`: the value appears as whole dot- or slash-delimited words (`hdr_dom(host) example.com`
    /// matches `www.example.com` and `example.com:8080`).
    static func domainMatch(_ subject: Substring, _ value: String) -> Bool {
        guard let range = subject.firstRange(of: value) else { return false }
        let delimiters: Set<Character> = [".", "/", ":"]
        var searchStart = subject.startIndex
        var current: Range<Substring.Index>? = range
        while let r = current {
            let beforeOK = r.lowerBound == subject.startIndex || delimiters.contains(subject[subject.index(before: r.lowerBound)])
            let afterOK = r.upperBound == subject.endIndex || delimiters.contains(subject[r.upperBound])
            if beforeOK && afterOK { return true }
            searchStart = subject.index(after: r.lowerBound)
            current = subject[searchStart...].firstRange(of: value)
        }
        return false
    }
}

/// ACL fetches (HAProxy §7.3): `path`, `path_beg`, `path_end`, `path_sub`, `path_reg`, `hdr(name)`,
/// `hdr_beg(name)`, `hdr_end(name)`, `hdr_sub(name)`, `hdr_dom(name)`, `hdr_reg(name)`, `hdr_cnt`-style
/// presence, `method`, `src`, `ssl_fc`.
package enum ACLCriterion: Sendable, Hashable {
    case path, pathBeginning, pathEnd, pathSubstring, pathReg
    case header(String), headerBeginning(String), headerEnd(String), headerSubstring(String)
    case headerDomain(String), headerRegex(String), headerPresent(String)
    case method, src, sslFc
    case pathDirectory
    case url, urlBeginning, urlEnd, urlSubstring, urlReg
    case urlParameter(String)
    /// `url_param(name) -m found`.
    case urlParameterPresent(String)
    /// `base` (Host + path) and its `_beg`, `_end`, `_sub`, `_dir`, `_reg` derivatives.
    case base, baseBeginning, baseEnd, baseSubstring, baseDirectory, baseReg
    case alwaysTrue, alwaysFalse
    /// `dst_port 80` or `dst_port 8000:8080`.
    case destinationPort
    /// `ssl_fc_sni`: the TLS server name (SNI); never matches on a plain bind.
    case sslSNI
    /// `ssl_fc_protocol`, `ssl_fc_cipher`, `ssl_fc_alpn`: exact strings; never match on a plain bind.
    case sslProtocol, sslCipher, sslALPN
    /// `ssl_c_used` (no value), `ssl_c_verify` (integer), `ssl_c_s_dn`, `ssl_c_i_dn` (strings).
    case sslClientUsed, sslClientVerify, sslClientSubjectDN, sslClientIssuerDN
    /// `hdr_cnt(name) [eq|ge|gt|le|lt] N`: how many times the header occurs.
    case headerCount(String)
    /// `status`: the response status (never matches on the request side).
    case status
    /// `res.hdr(name)`: exact match of a response header value.
    case responseHeader(String)
}

/// A compiled regular expression that can cross event loops; equal when compiled from the same
/// pattern and case rule.
package struct RegexBox: @unchecked Sendable, Hashable {
    let regex: Regex<AnyRegexOutput>
    let pattern: String
    let ignoreCase: Bool

    init(pattern: String, ignoreCase: Bool) throws {
        do {
            var regex = try Regex(pattern)
            if ignoreCase { regex = regex.ignoresCase() }
            self.regex = regex
            self.pattern = pattern
            self.ignoreCase = ignoreCase
        } catch {
            throw ProxyError("invalid regular expression '\(pattern)': \(error)")
        }
    }

    package static func == (a: RegexBox, b: RegexBox) -> Bool {
        a.pattern == b.pattern && a.ignoreCase == b.ignoreCase
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(ignoreCase)
    }

    func matches(_ subject: Substring) -> Bool {
        (try? regex.firstMatch(in: subject)) != nil
    }
}
