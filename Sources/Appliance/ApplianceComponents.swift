import HACore
import HAConfig
import Logging
import ServiceLifecycle

/// The configuration-driven services of the group (the proxy, the VRRP engine) with what
/// tells when they are up and how a reload reaches them.
struct ApplianceComponents: Sendable {
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    var readiness: [ReadinessCheck] = []
    var apply: ConfigurationReloader.ApplyChanges

    init(configuration: Configuration, bus: EventBus, logger: Logger) {
        // The proxy and VRRP services join here as they land in main.
        apply = { _, diff in
            ReloadReport(needsRestart: diff.changes.map { ($0, "no running service applies it live yet") })
        }
    }
}
