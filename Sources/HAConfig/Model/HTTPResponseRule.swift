public import HACore

/// HAProxy `http-response ACTION ... [if|unless COND]` and `http-after-response ...` (§4.2): rules run
/// on the server's response (and, for after-response, on the proxy's own answers too).
public struct HTTPResponseRule: Sendable, Equatable, Hashable {
    /// What the rule does when its condition holds.
    public enum Action: Sendable, Equatable, Hashable {
        /// `set-header NAME FMT`.
        case setHeader(name: String, value: LogFormat)
        /// `add-header NAME FMT`.
        case addHeader(name: String, value: LogFormat)
        /// `del-header NAME`.
        case delHeader(name: String)
        /// `replace-header NAME REGEX FMT`.
        case replaceHeader(name: String, regex: String, format: LogFormat)
        /// `replace-value NAME REGEX FMT`.
        case replaceValue(name: String, regex: String, format: LogFormat)
        /// `set-status N [reason R]`.
        case setStatus(Int, reason: String?)
        /// `deny [deny_status N]` (default 502): the server's response is dropped, the proxy answers.
        case deny(status: Int)
    }

    public var action: Action
    public var condition: Condition?
    public var location: SourceLocation

    public init(action: Action, condition: Condition? = nil, location: SourceLocation = .builtIn) {
        self.action = action
        self.condition = condition
        self.location = location
    }
}
