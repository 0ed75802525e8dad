import Appliance
import HACore
import HAConfig
import Logging
import Synchronization
import Systemd
import Testing

@Suite struct ConfigurationReloaderTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let running = Configuration(backends: [Backend(name: "web")])

    func reloader(loading next: @escaping @Sendable () throws -> Configuration, applied: Recorder<ConfigurationDiff>, restart: Bool = false) -> ConfigurationReloader {
        ConfigurationReloader(
            current: running,
            precedence: RolePrecedence(role: .master),
            load: { try next() },
            apply: { _, diff in
                applied.append(diff)
                return restart ? ReloadReport(needsRestart: diff.changes.map { ($0, "test") }) : ReloadReport(applied: diff.changes)
            },
            bus: EventBus(),
            notifier: ServiceNotifier(),
            logger: quiet
        )
    }

    @Test func test_badFile_isRejected_andNothingIsApplied() async {
        let errors = ConfigErrors([ConfigError(location: SourceLocation(file: "hactl.conf", line: 3), keyword: "bindd", message: "unknown keyword")])
        let applied = Recorder<ConfigurationDiff>()
        let reloader = reloader(loading: { throw errors }, applied: applied)
        #expect(await reloader.reload() == .rejected(errors))
        #expect(applied.all.isEmpty)
        #expect(await reloader.current == running)
    }

    @Test func test_unchangedFile_appliesNothing() async {
        let applied = Recorder<ConfigurationDiff>()
        let reloader = reloader(loading: { running }, applied: applied)
        #expect(await reloader.reload() == .unchanged)
        #expect(applied.all.isEmpty)
    }

    @Test func test_goodFile_isAppliedAsADiff_andBecomesCurrent() async {
        let next = Configuration(backends: [Backend(name: "web"), Backend(name: "api")])
        let applied = Recorder<ConfigurationDiff>()
        let reloader = reloader(loading: { next }, applied: applied)
        #expect(await reloader.reload() == .applied(ReloadReport(applied: [.init(.added, .backend, "api")])))
        #expect(applied.all.map(\.changes) == [[.init(.added, .backend, "api")]])
        #expect(await reloader.current == next)
    }

    @Test func test_changesNeedingARestart_keepTheRunningConfigurationAsCurrent() async {
        let next = Configuration(backends: [Backend(name: "api")])
        let applied = Recorder<ConfigurationDiff>()
        let reloader = reloader(loading: { next }, applied: applied, restart: true)
        guard case .applied(let report) = await reloader.reload() else {
            Issue.record("expected a report")
            return
        }
        #expect(report.needsRestart.count == 2)
        #expect(await reloader.current == running)
    }
}
