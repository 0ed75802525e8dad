public import HACore

/// An HAProxy log-format string (configuration manual §8.2.4 "Custom log format"): the value of
/// `http-request set-header` / `add-header` and of `http-request redirect location|prefix|scheme`.
///
/// Literal text, `%%` for a percent sign, `%VAR` variables (`%ci`, `%fp`, `%t`) and `%[FETCH,CONV...]`
/// sample expressions (§7.3). Parsed once at configuration time; the proxy compiles the segments into
/// its evaluation plan. Two formats are equal when their text is: the segments follow from the text,
/// and their locations only say where an error would point.
public struct LogFormat: Sendable, Hashable, CustomStringConvertible {
    /// One piece of the string, in order.
    public enum Segment: Sendable, Hashable {
        /// Text sent as it is (`%%` already turned into `%`).
        case literal(String)
        /// `%ci`, `%H`, `%t`...
        case variable(LogFormatVariable, location: SourceLocation)
        /// `%[src]`, `%[req.hdr(host),lower]`.
        case sample(SampleExpression)
    }

    /// The string as written in the configuration (after quotes and escapes), `%%` included.
    public var text: String
    public var segments: [Segment]

    /// A format parsed by `LogFormatParser`.
    init(text: String, segments: [Segment]) {
        self.text = text
        self.segments = segments
    }

    /// A format that sends `value` as it is: a `%` in it is written `%%` in `text`.
    public init(literal value: String) {
        self.text = value.replacing("%", with: "%%")
        self.segments = value.isEmpty ? [] : [.literal(value)]
    }

    /// True when nothing in the string is evaluated per request.
    public var isLiteral: Bool {
        segments.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The text sent when the string is literal.
    public var literalValue: String? {
        guard isLiteral else { return nil }
        return segments.map { if case .literal(let text) = $0 { text } else { "" } }.joined()
    }

    public var description: String { text }

    public static func == (a: LogFormat, b: LogFormat) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// The `%` variables of §8.2.4 that hactl evaluates in a request-time value. The raw value is the
/// name as written after `%`.
public enum LogFormatVariable: String, Sendable, Hashable, CaseIterable {
    /// `%ci`: client IP address.
    case clientIP = "ci"
    /// `%cp`: client port.
    case clientPort = "cp"
    /// `%fi`: the frontend's local IP address (where the client connected).
    case frontendIP = "fi"
    /// `%fp`: the frontend's local port.
    case frontendPort = "fp"
    /// `%f`: frontend name.
    case frontendName = "f"
    /// `%ft`: frontend name with `~` after it for TLS connections.
    case frontendNameTransport = "ft"
    /// `%sslc`: the TLS cipher of the client connection (empty on a plain bind).
    case sslCipher = "sslc"
    /// `%sslv`: the TLS version of the client connection (empty on a plain bind).
    case sslVersion = "sslv"
    /// `%b`: backend name (known in a backend or listen section; a frontend's rules run before it is chosen).
    case backendName = "b"
    /// `%H`: the host name of the node.
    case hostname = "H"
    /// `%pid`: the process id.
    case pid = "pid"
    /// `%t`: date and time with milliseconds, local time (`30/Nov/2026:21:58:38.168`).
    case date = "t"
    /// `%T`: date and time in GMT (`30/Nov/2026:21:58:38 +0000`).
    case gmtDate = "T"
    /// `%Ts`: seconds since the Unix epoch.
    case timestamp = "Ts"
    /// `%HM`: the request method.
    case method = "HM"
    /// `%HU`: the request target as received (path and query).
    case uri = "HU"
    /// `%HP`: the path of the request target.
    case path = "HP"
    /// `%HQ`: the query string with its `?` (empty without one).
    case query = "HQ"
    /// `%HV`: the HTTP version (`HTTP/1.1`).
    case version = "HV"
    /// `%r`: the request line (`GET /x HTTP/1.1`); in `log-format`, as received.
    case requestLine = "r"
    /// `%ID`: the request's unique id (`unique-id-format`); empty without one, as in HAProxy.
    case uniqueID = "ID"

    // The variables below are known once the exchange is over: `log-format` only.

    /// `%s`: the server name (`<NOSRV>` when none was chosen).
    case serverName = "s"
    /// `%tr`: the date the request began, local time with milliseconds.
    case requestDate = "tr"
    /// `%Tq`, `%TR`: milliseconds until the request head was in (`-1` when it never was).
    case requestTime = "Tq", requestHeadTime = "TR"
    /// `%Tw`: milliseconds waiting in queues.
    case queueTime = "Tw"
    /// `%Tc`: milliseconds to connect to the server.
    case connectTime = "Tc"
    /// `%Tr`: milliseconds until the server's response head.
    case responseTime = "Tr"
    /// `%Ta`, `%Tt`: milliseconds from the request's start to the end of the exchange.
    case activeTime = "Ta", totalTime = "Tt"
    /// `%ST`: the status sent to the client.
    case status = "ST"
    /// `%B`: bytes sent to the client.
    case bytes = "B"
    /// `%ts`, `%tsc`: the termination state (two letters; with `--` cookie flags).
    case terminationState = "ts", terminationStateWithCookie = "tsc"
    /// `%CC`, `%CS`: captured cookies; hactl captures none, so `-` as HAProxy logs it then.
    case requestCookie = "CC", responseCookie = "CS"
    /// `%hr`, `%hs`: the `capture request|response header` values in braces.
    case requestCaptures = "hr", responseCaptures = "hs"
    /// `%ac`, `%fc`, `%bc`, `%sc`, `%rc`, `%sq`, `%bq`: as hactl's httplog line prints them.
    case activeConnections = "ac", frontendConnections = "fc", backendConnections = "bc", serverConnections = "sc"
    case retries = "rc", serverQueue = "sq", backendQueue = "bq"

    /// True for the variables only a `log-format` can use (they are known after the response).
    public var isLogOnly: Bool {
        switch self {
        case .serverName, .requestDate, .requestTime, .requestHeadTime, .queueTime, .connectTime, .responseTime,
             .activeTime, .totalTime, .status, .bytes, .terminationState, .terminationStateWithCookie,
             .requestCookie, .responseCookie, .requestCaptures, .responseCaptures, .activeConnections,
             .frontendConnections, .backendConnections, .serverConnections, .retries, .serverQueue, .backendQueue:
            true
        default:
            false
        }
    }
}

/// `%[FETCH,CONVERTER...]`: a sample fetch and the converters applied to its result, in order
/// (configuration manual §7.3).
public struct SampleExpression: Sendable, Hashable {
    public var fetch: SampleFetch
    public var converters: [SampleConverter]
    /// Where the fetch name starts.
    public var location: SourceLocation
    /// The expression as written (`req.hdr(host),lower`), for printing a `set-var` rule.
    public var text: String

    public init(fetch: SampleFetch, converters: [SampleConverter] = [], location: SourceLocation = .builtIn, text: String = "") {
        self.fetch = fetch
        self.converters = converters
        self.location = location
        self.text = text
    }

    /// Equal when they fetch and convert the same: where they were written does not matter.
    public static func == (a: SampleExpression, b: SampleExpression) -> Bool { a.fetch == b.fetch && a.converters == b.converters }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fetch)
        hasher.combine(converters)
    }
}

/// The sample fetches hactl evaluates (§7.3.2 layer 4, §7.3.6 HTTP, §7.3.3 for `ssl_fc*`).
public enum SampleFetch: Sendable, Hashable {
    /// `src`: the client's address.
    case source
    /// `src_port`.
    case sourcePort
    /// `dst`: the local address the client connected to.
    case destination
    /// `dst_port`.
    case destinationPort
    /// `req.hdr(NAME[,OCC])` / `hdr(NAME[,OCC])`: one comma-separated value of a header; `occurrence`
    /// counts from the first (1, 2...) or from the last (-1 is the last, HAProxy's default).
    case header(name: String, occurrence: Int)
    /// `req.fhdr(NAME[,OCC])`: one full header line's value, commas included.
    case fullHeader(name: String, occurrence: Int)
    /// `path`: the path of the target, without the query.
    case path
    /// `url`: the target as received.
    case url
    /// `query`: what follows the first `?` (absent without one).
    case query
    /// `method`.
    case method
    /// `base`: the Host header followed by the path.
    case base
    /// `req.ver`: `1.1` or `1.0`.
    case requestVersion
    /// `fe_name`.
    case frontendName
    /// `be_name`: in a backend or listen section.
    case backendName
    /// `ssl_fc`: whether the client connection is TLS.
    case sslFrontConnection
    /// `ssl_fc_sni`: the SNI the client sent; absent on a plain bind or without SNI.
    case sslServerName
    /// `var(SCOPE.NAME)`: a variable set by `set-var`; absent until set.
    case variable(VariableName)
    /// `status`: the response status (response rules and `log-format` only).
    case status
    /// `res.hdr(NAME[,OCC])`: one comma-separated value of a response header (response rules only).
    case responseHeader(name: String, occurrence: Int)
    /// `uuid` / `uuid(4)`: a random UUID (RFC 9562 version 4), new at each evaluation.
    case uuid
    /// `ssl_fc_protocol`: `TLSv1.2`, `TLSv1.3`; absent on a plain bind.
    case sslProtocol
    /// `ssl_fc_cipher`: OpenSSL's name of the agreed cipher; absent on a plain bind.
    case sslCipher
    /// `ssl_fc_alpn`: the agreed ALPN protocol; absent without ALPN.
    case sslALPN
    /// `req.cook(NAME)` / `cook(NAME)`: the value of the last request cookie NAME.
    case cookie(name: String)
    /// `url_param(NAME)` / `urlp(NAME)`: the value of the query-string parameter NAME.
    case urlParameter(name: String)
    /// `ssl_c_used`: 1 when the client presented a certificate (0 otherwise, absent on a plain bind).
    case sslClientUsed
    /// `ssl_c_verify`: the verification result of the client certificate (0 = OK).
    case sslClientVerify
    /// `ssl_c_s_dn`, `ssl_c_i_dn`: the client certificate's subject and issuer DN.
    case sslClientSubjectDN, sslClientIssuerDN
}

/// A variable of `set-var(SCOPE.NAME)` / `var(SCOPE.NAME)` (HAProxy §2.8 "variables"): `txn` and `req`
/// live for one request, `sess` for the client connection.
public struct VariableName: Sendable, Hashable, CustomStringConvertible {
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        case sess, txn, req
    }

    public var scope: Scope
    public var name: String

    public init(scope: Scope, name: String) {
        self.scope = scope
        self.name = name
    }

    /// `txn.user` → txn, user; nil for an unknown scope or a bad name.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let scope = Scope(rawValue: String(parts[0])), !parts[1].isEmpty,
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) else { return nil }
        self.scope = scope
        self.name = String(parts[1])
    }

    public var description: String { "\(scope.rawValue).\(name)" }
}

/// The converters hactl applies (§7.3.1).
public enum SampleConverter: Sendable, Hashable {
    case lower
    case upper
    /// `base64`: the input's bytes in base64.
    case base64
    /// `hex`: the input's bytes as upper-case hexadecimal.
    case hex
    /// `field(N,SEPARATORS)`: the Nth field between separator characters (negative: from the end).
    case field(index: Int, separators: String)
    /// `word(N,SEPARATORS)`: like `field`, but runs of separators count as one and empty words are skipped.
    case word(index: Int, separators: String)
}
