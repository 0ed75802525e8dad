import Appliance
import ArgumentParser
import HAConfig
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run this node: VRRP and the proxy, in the foreground, under systemd.",
        discussion: """
            Every node runs the same file; --role says which node this one is. The role sets each \
            VRRP instance's initial state and default priority (master: MASTER 250, backup: BACKUP \
            240). A `priority` or `state` line in the file beats the role, and --priority beats both; \
            every override is logged once at start.

            The configuration is validated completely before anything starts: on any error hactl \
            prints every error as file:line:column and exits 1 without touching the system.

            Signals: SIGTERM or SIGINT stop gracefully; SIGHUP reloads the files (a bad file changes \
            nothing and is reported; changes that need a restart are named in the log). Under \
            systemd use Type=notify (or notify-reload): hactl sends READY=1 once everything is up, \
            STATUS= with a one-line summary, STOPPING=1, and WATCHDOG=1 when WatchdogSec= is set.
            """
    )

    @Option(name: .long, help: "Which node this is: master or backup.")
    var role: RoleArgument

    @Option(name: .long, help: "VRRP priority for every instance (1-255); beats the file and the role.")
    var priority: Int?

    @Option(name: [.short, .customLong("file")], help: "Configuration file (repeat for keepalived.conf + haproxy.cfg).")
    var files: [String] = ["/etc/hactl/hactl.conf"]

    @Option(name: [.customShort("S"), .customLong("socket")],
            help: ArgumentHelp("The control socket (beats 'stats socket'; default: $HACTL_SOCKET, else the file's, else /run/hactl/hactl.sock).", valueName: "PATH"))
    var socket: String?

    @Option(name: .long, help: "Lowest level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel: LogLevelArgument = .init(level: .info)

    func validate() throws {
        if let priority, !(1...255).contains(priority) {
            throw ValidationError("--priority must be between 1 and 255 (got \(priority))")
        }
    }

    func run() async throws {
        ProcessHeap.limitArenasToCoreCount()
        ProcessThreads.useOneControlPlaneLoop()
        let environment = ProcessEnvironment.current
        StderrLogHandler.bootstrap(level: logLevel.level, environment: environment)
        let files = self.files
        let configuration: Configuration
        do {
            configuration = try ApplianceConfiguration.load(files: files, environment: environment)
        } catch let errors as ConfigErrors {
            for error in errors.errors { printToStandardError(error.description) }
            printToStandardError("hactl: \(errors.errors.count) error(s) in the configuration; nothing started")
            throw ExitCode(1)
        } catch {
            printToStandardError("hactl: \(error); nothing started")
            throw ExitCode(1)
        }
        let options = ApplianceOptions(role: role.role, commandLinePriority: priority, files: files,
                                       controlSocket: socket ?? environment["HACTL_SOCKET"])
        let appliance = Appliance(configuration: configuration, options: options) {
            try ApplianceConfiguration.load(files: files, environment: ProcessEnvironment.current)
        }
        do {
            try await appliance.run()
        } catch {
            printToStandardError("hactl: stopped on error: \(error)")
            throw ExitCode(1)
        }
    }
}

struct RoleArgument: ExpressibleByArgument {
    var role: Role
    init?(argument: String) {
        guard let role = Role(rawValue: argument.lowercased()) else { return nil }
        self.role = role
    }
    static var allValueStrings: [String] { Role.allCases.map(\.rawValue) }
}

struct LogLevelArgument: ExpressibleByArgument {
    var level: Logger.Level
    init(level: Logger.Level) { self.level = level }
    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.level = level
    }
    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
    var defaultValueDescription: String { level.rawValue }
}
