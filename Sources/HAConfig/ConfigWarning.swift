public import HACore

/// A configuration that is valid but probably does not do what it reads as, such as HAProxy's
/// rule-order warnings. Printed by `hactl check` and logged once when `hactl run` starts or reloads.
///
/// Printed as `file:line:column: warning: 'keyword': message`.
public struct ConfigWarning: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var keyword: String
    public var message: String

    public init(location: SourceLocation, keyword: String, message: String) {
        self.location = location
        self.keyword = keyword
        self.message = message
    }

    public var description: String { "\(location): warning: '\(keyword)': \(message)" }
}
