/// Every error found in a configuration, thrown at once so an operator fixes them in one pass.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors
    }

    /// One error per line, in file order.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
