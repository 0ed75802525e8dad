public import HACore

/// A `vrrp_instance` the engine cannot run as written: names the instance, the line and why.
public struct VRRPConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var instance: String
    public var location: SourceLocation
    public var message: String

    public init(instance: String, location: SourceLocation, message: String) {
        self.instance = instance
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: vrrp_instance '\(instance)': \(message)" }
}

/// Every `vrrp_instance` the engine would refuse, one line each: what `hactl check` prints.
public struct VRRPConfigurationErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [VRRPConfigurationError]

    public init(_ errors: [VRRPConfigurationError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
