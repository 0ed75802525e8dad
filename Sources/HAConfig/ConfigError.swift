public import HACore

/// One problem in a configuration file, with enough context for an operator to fix it.
///
/// Printed as `file:line:column: error: 'keyword': message (did you mean 'x'?)`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var keyword: String
    public var message: String
    public var suggestion: String?

    public init(location: SourceLocation, keyword: String, message: String, suggestion: String? = nil) {
        self.location = location
        self.keyword = keyword
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var text = "\(location): error: '\(keyword)': \(message)"
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
}
