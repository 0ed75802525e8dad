public import HACore

/// HAProxy `http-request ACTION ... [if|unless COND]` and the older `redirect` keyword.
public struct HTTPRequestRule: Sendable, Equatable, Hashable {
    /// What the rule does when its condition holds.
    public enum Action: Sendable, Equatable, Hashable {
        /// `http-request redirect scheme|location|prefix VALUE [code N]` (default code 302). The value
        /// is a log-format string (§8.2.4); the older `redirect` keyword takes it literally, as HAProxy does.
        case redirect(kind: RedirectKind, value: LogFormat, code: Int)
        /// `http-request deny [deny_status N]` (default 403).
        case deny(status: Int)
        /// `http-request set-header NAME VALUE`; VALUE is a log-format string (§8.2.4).
        case setHeader(name: String, value: LogFormat)
        /// `http-request add-header NAME VALUE`; VALUE is a log-format string (§8.2.4).
        case addHeader(name: String, value: LogFormat)
        /// `http-request del-header NAME`.
        case delHeader(name: String)
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
