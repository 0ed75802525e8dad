public import HAConfig
import Proxy
import VRRP

/// Loading for `hactl check`, `hactl run` and its reloads: the files parsed and validated by
/// HAConfig (throws `ConfigErrors`, every error with its `file:line:column`), then checked
/// against what the proxy and the VRRP engine can honour (each throws its own errors), before
/// anything starts or changes.
public enum ApplianceConfiguration {
    public static func load(files: [String], environment: [String: String]) throws -> Configuration {
        var configuration = try ConfigurationLoader.load(files: files, environment: environment)
        let proxy = try ProxyService.validation(configuration)
        configuration.warnings += proxy.warnings
        configuration.fileDigests = proxy.fileDigests
        try VRRPEngine.validate(configuration)
        return configuration
    }
}
