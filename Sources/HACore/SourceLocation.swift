/// Where an element of the configuration came from: `file:line:column`.
///
/// Every configuration element carries one, so every error and every log line about
/// configuration names the line an operator has to edit.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The location of elements made by code rather than read from a file (defaults, importers).
    public static let builtIn = SourceLocation(file: "<built-in>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}
