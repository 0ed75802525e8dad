/// A proxy listener or backend could not be set up.
public struct ProxyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
