import Appliance
import ArgumentParser
import FoundationEssentials
import HAConfig

/// `hactl check -f FILE...`: validate configuration without touching the system, like
/// `haproxy -c` and `keepalived -t`.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate configuration files without touching the system.",
        discussion: """
        Reads every file given with -f (hactl.conf, haproxy.cfg or keepalived.conf, each \
        recognised by its syntax), merges them as 'hactl run' would, and reports every problem \
        at once: file:line:column, the keyword, what was expected and, for a misspelt keyword, \
        the nearest valid one. A valid file is then checked against what the proxy can honour, \
        exactly as 'hactl run' and a reload do.

        Nothing is started, bound or changed: safe to run on a live node before a reload.

        Exit status 0: valid; a one-line summary is printed on stdout, and any warning \
        (a valid line that may not do what it reads as) on stderr as file:line:column: warning: ...
        Exit status 1: invalid or unreadable; every error is printed on stderr, one per line.

        Examples:
          hactl check -f /etc/hactl/hactl.conf
          hactl check -f /etc/keepalived/keepalived.conf -f /etc/haproxy/haproxy.cfg
        """
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("A configuration file; repeat -f for several.", valueName: "FILE"))
    var files: [String] = ["/etc/hactl/hactl.conf"]

    func run() throws {
        do {
            let configuration = try ApplianceConfiguration.load(files: files, environment: ProcessInfo.processInfo.environment)
            for warning in configuration.warnings { StandardStreams.error("\(warning)\n") }
            print("configuration valid: \(configuration.summary)")
        } catch {
            StandardStreams.error("\(error)\n")
            throw ExitCode(1)
        }
    }
}
