public import HAConfig
public import HACore
public import Logging
public import Systemd

/// SIGHUP: reads the files again, validates them completely, and only then applies the
/// difference (ARCHITECTURE.md rule 5). A bad file changes nothing and every error is logged
/// with its `file:line:column`; a good one is applied as far as the running services allow and
/// every change that needs a restart, or failed to apply, is named. Until every change runs,
/// the next reload is compared with what ran before, so pending changes are named again.
///
/// Tells systemd `RELOADING=1` … `READY=1` around it (`Type=notify-reload`).
public actor ConfigurationReloader {
    /// What the appliance runs now (as loaded, before role precedence).
    public private(set) var current: Configuration
    private let precedence: RolePrecedence
    private let load: ConfigurationSource
    private let apply: ApplyChanges
    private let onApplied: @Sendable (Configuration) -> Void
    private let bus: EventBus
    private let notifier: ServiceNotifier
    private let logger: Logger
    /// The last reload's outcome and when it ended (Unix milliseconds), for `hactl status`.
    public private(set) var last: (atUnixMilliseconds: Int64, outcome: Outcome)?

    /// Applies a diff to the running services; returns what it could and could not apply.
    public typealias ApplyChanges = @Sendable (_ resolved: Configuration, _ diff: ConfigurationDiff) async -> ReloadReport

    /// What one reload ended with.
    public enum Outcome: Sendable, Equatable {
        case rejected(ConfigErrors)
        case failed(String)
        case unchanged
        case applied(ReloadReport)
    }

    public init(
        current: Configuration,
        precedence: RolePrecedence,
        load: @escaping ConfigurationSource,
        apply: @escaping ApplyChanges,
        onApplied: @escaping @Sendable (_ running: Configuration) -> Void = { _ in },
        bus: EventBus,
        notifier: ServiceNotifier,
        logger: Logger
    ) {
        self.current = current
        self.precedence = precedence
        self.load = load
        self.apply = apply
        self.onApplied = onApplied
        self.bus = bus
        self.notifier = notifier
        self.logger = logger
    }

    /// Reloads (SIGHUP, `hactl reload`) and remembers the outcome.
    @discardableResult
    public func reload() async -> Outcome {
        let outcome = await performReload()
        last = (WallClock.unixMilliseconds(), outcome)
        return outcome
    }

    private func performReload() async -> Outcome {
        notifier.notify(.reloading)
        defer { notifier.notify(.ready) }
        logger.notice("reloading configuration")
        let loaded: Configuration
        do {
            loaded = try await load()
        } catch let errors as ConfigErrors {
            for error in errors.errors {
                logger.error("reload refused", metadata: [
                    "location": "\(error.location)", "keyword": "\(error.keyword)", "error": "\(error.message)",
                ])
            }
            logger.error("reload refused: the configuration has errors, nothing changed", metadata: ["errors": "\(errors.errors.count)"])
            return .rejected(errors)
        } catch {
            logger.error("reload failed: nothing changed", metadata: ["error": "\(error)"])
            return .failed("\(error)")
        }

        for warning in loaded.warnings { warning.log(to: logger) }
        let (running, runningOverrides) = precedence.apply(to: current)
        let (resolved, overrides) = precedence.apply(to: loaded)
        let diff = ConfigurationDiff(from: running, to: resolved)
        guard !diff.isEmpty else {
            logger.notice("reload: no changes")
            return .unchanged
        }
        // Each override is logged once: only the ones this file introduces.
        for override in overrides where !runningOverrides.contains(override) { override.log(to: logger) }
        let report = await apply(resolved, diff)
        for change in report.applied {
            if let detail = report.details[change] {
                logger.notice("reload applied", metadata: ["change": "\(change)", "detail": "\(detail)"])
            } else {
                logger.notice("reload applied", metadata: ["change": "\(change)"])
            }
        }
        for (change, reason) in report.needsRestart {
            logger.warning("reload: needs a restart to take effect", metadata: ["change": "\(change)", "reason": "\(reason)"])
        }
        for (change, reason) in report.failed {
            logger.error("reload: not applied, the previous setting still runs", metadata: ["change": "\(change)", "reason": "\(reason)"])
        }
        if report.isComplete {
            current = loaded
        } else {
            current = current.adopting(report.applied, from: loaded)
        }
        if !report.applied.isEmpty {
            onApplied(precedence.apply(to: current).configuration)
            await bus.publish(.lifecycle(.configurationLoaded(summary: resolved.summary)))
        }
        return .applied(report)
    }
}

extension Configuration {
    /// `self` with the sections of the applied changes taken from `loaded`, so the next reload
    /// is compared with what actually runs. (The proxy applies all its sections at once.)
    func adopting(_ applied: [ConfigurationDiff.Change], from loaded: Configuration) -> Configuration {
        var result = self
        let sections = Set(applied.map(\.section))
        if sections.contains(.frontend) { result.frontends = loaded.frontends }
        if sections.contains(.backend) { result.backends = loaded.backends }
        if sections.contains(.global) { result.global = loaded.global.withVRRPSettings(of: global) }
        if sections.contains(.globalDefs) { result.global = result.global.withVRRPSettings(of: loaded.global) }
        if sections.contains(.vrrpInstance) { result.vrrpInstances = loaded.vrrpInstances }
        if sections.contains(.vrrpSyncGroup) { result.vrrpSyncGroups = loaded.vrrpSyncGroups }
        if sections.contains(.vrrpScript) { result.vrrpScripts = loaded.vrrpScripts }
        if sections.contains(.vrrpTrackFile) { result.vrrpTrackFiles = loaded.vrrpTrackFiles }
        return result
    }
}
