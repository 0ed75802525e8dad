import ArgumentParser
import Control
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `hactl status`: the node, its VRRP instances, the proxy, frontends, backends and servers.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show this node: VRRP instances, proxy, frontends, backends, servers.",
        discussion: """
            Asks the running node over its control socket. Human-readable by default; --json \
            prints the whole report for scripts (the same fields, snake_case).

            Exit status (Nagios-style checks use it as is):
              0  healthy: the proxy is UP and every VRRP instance is MASTER or BACKUP
              1  degraded: an instance in FAULT, the proxy DOWN, or a backend without an UP server
              2  the node cannot be reached (the message names the socket and the error)
            """
    )

    @OptionGroup var socket: ControlSocketOption

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @Flag(name: .long, help: "Keep the view open, redrawn every second with the last transitions under it; q or Ctrl-C quits.")
    var watch = false

    func run() async throws {
        if watch { return await StatusWatch(socket: socket.resolved).run() }
        guard case .status(let report) = try await socket.send(.status) else {
            StandardStreams.error("hactl: the node answered something other than a status report\n")
            throw ExitCode(2)
        }
        if json {
            print(report.jsonString(pretty: true))
        } else {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let colours = WatchFrame.useColour(stdoutIsTerminal: isatty(STDOUT_FILENO) != 0, environment: ProcessInfo.processInfo.environment)
            print(StatusRenderer(colours: colours).render(report, nowMs: now), terminator: "")
        }
        let verdict = report.verdict
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }
}
