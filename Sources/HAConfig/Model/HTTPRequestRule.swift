public import HACore

/// HAProxy `http-request ACTION ... [if|unless COND]` and the older `redirect` keyword.
public struct HTTPRequestRule: Sendable, Equatable, Hashable {
    /// What the rule does when its condition holds.
    public enum Action: Sendable, Equatable, Hashable {
        /// `http-request redirect scheme|location|prefix VALUE [code N]` (default code 302). The value
        /// is a log-format string (§8.2.4); the older `redirect` keyword takes it literally, as HAProxy does.
        case redirect(kind: RedirectKind, value: LogFormat, code: Int, options: RedirectOptions = RedirectOptions())
        /// `http-request deny [deny_status N]` (default 403).
        case deny(status: Int)
        /// `http-request set-header NAME VALUE`; VALUE is a log-format string (§8.2.4).
        case setHeader(name: String, value: LogFormat)
        /// `http-request add-header NAME VALUE`; VALUE is a log-format string (§8.2.4).
        case addHeader(name: String, value: LogFormat)
        /// `http-request del-header NAME`.
        case delHeader(name: String)
        /// `http-request return [status N] [content-type T] [string|lf-string|file ...] [hdr NAME FMT]...`:
        /// the proxy answers itself (default status 200, no body).
        case returnResponse(HTTPReturn)
        /// `http-request allow`: stops evaluating the remaining `http-request` rules of this section.
        case allow
        /// `http-request set-path FMT`: the path is replaced, the query kept.
        case setPath(LogFormat)
        /// `http-request set-query FMT`: what follows the `?` is replaced (a `?` is added if there was none).
        case setQuery(LogFormat)
        /// `http-request replace-path REGEX FMT`: when REGEX matches the path, the path becomes FMT with `\1`... filled in.
        case replacePath(regex: String, format: LogFormat)
        /// `http-request replace-header NAME REGEX FMT`: each matching line's whole value is rewritten.
        case replaceHeader(name: String, regex: String, format: LogFormat)
        /// `http-request replace-value NAME REGEX FMT`: as `replace-header`, per comma-separated value.
        case replaceValue(name: String, regex: String, format: LogFormat)
        /// `http-request set-var(SCOPE.NAME) EXPR`: stores a sample for `var(SCOPE.NAME)`.
        case setVariable(VariableName, SampleExpression)
        /// `http-request tarpit [deny_status N]`: held for `timeout tarpit`, then answered (default 500).
        case tarpit(status: Int)
        /// `http-request use-service NAME`: the proxy answers with a built-in service; hactl has
        /// HAProxy's `prometheus-exporter`.
        case useService(String)
    }

    /// `redirect` options after (or before) the target.
    public struct RedirectOptions: Sendable, Equatable, Hashable {
        /// `drop-query`: the original query is not appended (prefix and scheme forms).
        public var dropQuery = false
        /// `append-slash`: a `/` is added to a path not ending with one (prefix and scheme forms).
        public var appendSlash = false
        /// `set-cookie NAME[=VALUE]`.
        public var setCookie: String?
        /// `clear-cookie NAME[=]`, as written.
        public var clearCookie: String?

        public init(dropQuery: Bool = false, appendSlash: Bool = false, setCookie: String? = nil, clearCookie: String? = nil) {
            self.dropQuery = dropQuery
            self.appendSlash = appendSlash
            self.setCookie = setCookie
            self.clearCookie = clearCookie
        }
    }

    /// HAProxy's three redirect forms.
    public enum RedirectKind: String, Sendable, Equatable, Hashable {
        case scheme
        case location
        case prefix
    }

    public var action: Action
    public var condition: Condition?
    public var location: SourceLocation
    /// Written with the older `redirect` keyword: HAProxy runs these after every `http-request`
    /// rule, and still runs them after an `http-request allow`.
    public var isRedirectKeyword = false

    public init(action: Action, condition: Condition? = nil, location: SourceLocation = .builtIn) {
        self.action = action
        self.condition = condition
        self.location = location
    }

    public static func redirect(kind: RedirectKind, value: LogFormat, code: Int = 302, condition: Condition? = nil, location: SourceLocation = .builtIn) -> HTTPRequestRule {
        HTTPRequestRule(action: .redirect(kind: kind, value: value, code: code), condition: condition, location: location)
    }

    public static func deny(status: Int = 403, condition: Condition? = nil, location: SourceLocation = .builtIn) -> HTTPRequestRule {
        HTTPRequestRule(action: .deny(status: status), condition: condition, location: location)
    }

    public static func setHeader(name: String, value: LogFormat, condition: Condition? = nil, location: SourceLocation = .builtIn) -> HTTPRequestRule {
        HTTPRequestRule(action: .setHeader(name: name, value: value), condition: condition, location: location)
    }

    public static func addHeader(name: String, value: LogFormat, condition: Condition? = nil, location: SourceLocation = .builtIn) -> HTTPRequestRule {
        HTTPRequestRule(action: .addHeader(name: name, value: value), condition: condition, location: location)
    }

    public static func delHeader(name: String, condition: Condition? = nil, location: SourceLocation = .builtIn) -> HTTPRequestRule {
        HTTPRequestRule(action: .delHeader(name: name), condition: condition, location: location)
    }
}

/// The answer of `http-request return` (HAProxy §4.2 "http-request return").
public struct HTTPReturn: Sendable, Equatable, Hashable {
    /// Where the body comes from.
    public enum Body: Sendable, Equatable, Hashable {
        case none
        /// `string TEXT`.
        case string(String)
        /// `lf-string FMT`: evaluated per request.
        case logFormat(LogFormat)
        /// `file PATH`: read once, when the configuration is loaded.
        case file(String)
    }

    public var status: Int
    public var contentType: String?
    public var body: Body
    /// `hdr NAME FMT`, in order.
    public var headers: [HeaderValue]

    public init(status: Int = 200, contentType: String? = nil, body: Body = .none, headers: [HeaderValue] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}

/// A header name and its log-format value (`hdr NAME FMT`).
public struct HeaderValue: Sendable, Equatable, Hashable {
    public var name: String
    public var value: LogFormat

    public init(name: String, value: LogFormat) {
        self.name = name
        self.value = value
    }
}

/// HAProxy `use_backend NAME [if|unless COND]`.
public struct UseBackendRule: Sendable, Equatable, Hashable {
    public var backend: String
    public var condition: Condition?
    public var location: SourceLocation

    public init(backend: String, condition: Condition? = nil, location: SourceLocation = .builtIn) {
        self.backend = backend
        self.condition = condition
        self.location = location
    }
}
