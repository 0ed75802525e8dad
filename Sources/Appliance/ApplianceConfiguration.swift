public import HAConfig
import Proxy

/// Loading for `hactl run` and its reloads: the files parsed and validated by HAConfig
/// (throws `ConfigErrors`, every error with its `file:line:column`), then checked against what
/// the proxy can honour (throws the proxy's error), before anything starts or changes.
public enum ApplianceConfiguration {
    public static func load(files: [String], environment: [String: String]) throws -> Configuration {
        let configuration = try ConfigurationLoader.load(files: files, environment: environment)
        try ProxyService.validate(configuration)
        return configuration
    }
}
