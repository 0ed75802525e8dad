public import HACore

/// HAProxy `option httpchk [METHOD] [URI] [VERSION]` plus `http-check send` / `http-check expect`:
/// an HTTP health check instead of a TCP connect.
///
/// The old way of adding headers, `option httpchk HEAD / HTTP/1.1\r\nHost:\ www`, is parsed
/// into `version` and `headers` so the proxy never has to split raw text.
public struct HTTPCheck: Sendable, Equatable, Hashable {
    /// The request method (HAProxy default `OPTIONS`).
    public var method: String
    /// The request target (default `/`).
    public var uri: String
    /// The HTTP version (default `HTTP/1.0`).
    public var version: String
    /// Extra request headers, in order.
    public var headers: [HTTPHeaderField]
    /// `http-check expect ...`; `nil` means any 2xx or 3xx status.
    public var expect: HTTPCheckExpectation?
    public var location: SourceLocation

    public init(
        method: String = "OPTIONS",
        uri: String = "/",
        version: String = "HTTP/1.0",
        headers: [HTTPHeaderField] = [],
        expect: HTTPCheckExpectation? = nil,
        location: SourceLocation = .builtIn
    ) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.expect = expect
        self.location = location
    }
}

/// One header line of a health-check request.
public struct HTTPHeaderField: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// HAProxy `http-check expect [!] status|rstatus|string|rstring PATTERN`.
public struct HTTPCheckExpectation: Sendable, Equatable, Hashable {
    /// What the response is compared with.
    public enum Match: Sendable, Equatable, Hashable {
        /// `status 200` or `status 200-399`/`200,301` as HAProxy writes them.
        case status(String)
        /// `rstatus REGEX`.
        case statusRegex(String)
        /// `string TEXT`: the body contains TEXT.
        case string(String)
        /// `rstring REGEX`.
        case stringRegex(String)

        /// The HAProxy keyword.
        public var keyword: String {
            switch self {
            case .status: "status"
            case .statusRegex: "rstatus"
            case .string: "string"
            case .stringRegex: "rstring"
            }
        }

        /// The pattern text.
        public var pattern: String {
            switch self {
            case .status(let value), .statusRegex(let value), .string(let value), .stringRegex(let value): value
            }
        }
    }

    /// `!`: the check passes when the match fails.
    public var negated: Bool
    public var match: Match

    public init(negated: Bool = false, match: Match) {
        self.negated = negated
        self.match = match
    }
}
