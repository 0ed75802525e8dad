public import HACore
public import HAConfig
public import Logging
import Control
import ServiceLifecycle
import Systemd

/// The composition root of one hactl node (ARCHITECTURE.md "Appliance"): turns a validated
/// `Configuration` into a swift-service-lifecycle `ServiceGroup` — event logging, systemd
/// STATUS=, watchdog, the proxy, the VRRP engine, signal handling and reload — all wired to one
/// `EventBus`.
///
/// `run()` returns when the group has stopped: after SIGTERM/SIGINT (graceful shutdown, exit 0),
/// or after a service failed (rethrown, exit 1).
public struct Appliance: Sendable {
    /// The configuration as loaded, before the role fills in priorities and states.
    public let configuration: Configuration
    public let options: ApplianceOptions
    public let bus: EventBus
    private let load: ConfigurationSource
    private let logger: Logger

    /// - Parameters:
    ///   - configuration: the validated configuration to start with.
    ///   - load: reads and validates the files again (SIGHUP); throws `ConfigErrors`.
    public init(
        configuration: Configuration,
        options: ApplianceOptions,
        load: @escaping ConfigurationSource,
        bus: EventBus = EventBus(),
        logger: Logger = Logger(label: "appliance")
    ) {
        self.configuration = configuration
        self.options = options
        self.load = load
        self.bus = bus
        self.logger = logger
    }

    public func run() async throws {
        let notifier = ServiceNotifier()
        logger.notice("starting", metadata: [
            "version": "\(ApplianceVersion.current)", "role": "\(options.role.rawValue)",
            "files": "\(options.files.joined(separator: ","))",
        ])
        let (resolved, overrides) = options.precedence.apply(to: configuration)
        for override in overrides { override.log(to: logger) }
        for warning in configuration.warnings { warning.log(to: logger) }
        for notice in UnappliedSettings.notices(for: resolved.global) {
            logger.warning("setting not applied", metadata: [
                "keyword": "\(notice.keyword)", "reason": "\(notice.message)", "location": "\(resolved.global.location)",
            ])
        }
        let pidFile = resolved.global.pidfile.map(PIDFile.init(path:))
        try pidFile?.create()
        defer { pidFile?.remove() }

        let eventLogger = await EventLogger(bus: bus)
        let status = await SystemdStatusUpdater(bus: bus, initial: StatusSummary(configuration: resolved), notifier: notifier)
        await bus.publish(.lifecycle(.configurationLoaded(summary: resolved.summary)))

        let components = try await ApplianceComponents(configuration: resolved, liveness: options.liveness, bus: bus, logger: logger)
        let reloader = ConfigurationReloader(
            current: configuration, precedence: options.precedence, load: load,
            apply: components.apply,
            onApplied: { running in
                let layout = StatusSummary(configuration: running)
                status.reconfigure(instances: Array(layout.instances.keys), servers: Array(layout.servers.keys))
            },
            bus: bus, notifier: notifier, logger: logger
        )
        let lifecycle = ApplianceLifecycle(
            bus: bus, notifier: notifier, readiness: components.readiness,
            summary: resolved.summary, reloader: reloader, logger: logger
        )

        // Order matters: the group shuts services down in reverse order, so the lifecycle
        // (STOPPING=1) goes first and the event logger, which logs everyone's last words, last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: eventLogger, serviceName: "event-logger"),
            .init(service: status, serviceName: "systemd-status"),
        ]
        if let alerter = await MailAlerter.configured(for: resolved, bus: bus, logger: logger) {
            // Right after the event logger: stopped after VRRP, so the last transitions are mailed.
            services.append(.init(service: alerter, serviceName: "mail-alerts"))
        }
        let control = ApplianceControl(
            node: .init(role: options.role.rawValue, hostname: ApplianceControl.hostname(), version: "\(ApplianceVersion.current)",
                        files: options.files, started: .now),
            proxy: components.proxy, vrrp: components.vrrp, reloader: reloader, peerLink: components.peerLink,
            overrideSync: components.overrideSync)
        components.proxy?.statsHook.fill { request in await control.statsAnswer(request) }
        let socket = ControlServer.Configuration(resolved.global, override: options.controlSocket)
        logger.info("control socket", metadata: ["path": "\(socket.path)", "level": "\(socket.level)"])
        services.append(.init(service: ControlServer(configuration: socket, responder: control, logger: logger), serviceName: "control-socket"))
        if let watchdog = WatchdogPinger(notifier: notifier, logger: logger, heartbeat: components.heartbeat) {
            logger.info("systemd watchdog enabled", metadata: ["interval": "\(watchdog.interval)"])
            services.append(.init(service: watchdog, serviceName: "systemd-watchdog"))
        }
        services += components.services
        services.append(.init(
            service: lifecycle,
            successTerminationBehavior: .gracefullyShutdownGroup,
            serviceName: "lifecycle"
        ))

        var groupLogger = logger
        groupLogger.logLevel = max(logger.logLevel, .notice)
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: groupLogger)
        // The proxy drains for at most 5 s and VRRP resigns at once: a shutdown still running
        // after 15 s is stuck, and is escalated to cancellation (well inside systemd's
        // default TimeoutStopSec of 90 s).
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: groupConfiguration)
        // Notifications and journal entries leave from queues of their own: let STOPPING=1
        // and the last entries out before exiting.
        defer {
            notifier.flush()
            StderrLogHandler.flush()
        }
        do {
            try await group.run()
        } catch {
            // A service failed and the group was cancelled: tell systemd we are going down.
            notifier.notify([.stopping, .status("stopped: \(error)")])
            throw error
        }
    }
}

/// Reads and validates the configuration files again (SIGHUP); throws `ConfigErrors`.
public typealias ConfigurationSource = @Sendable () async throws -> Configuration

extension StatusSummary {
    /// The summary before any event: every instance in INIT (RFC 9568 §6.4.1), every server up.
    init(configuration: Configuration) {
        self.init(
            instances: Dictionary(
                configuration.vrrpInstances.map { ($0.name, "INIT") },
                uniquingKeysWith: { first, _ in first }
            ),
            servers: configuration.backends.flatMap { backend in
                backend.servers.map { ServerKey(backend: backend.name, server: $0.name) }
            }
        )
    }
}
