import ArgumentParser
import Foundation
import HAConfig

/// `hactl import --keepalived F --haproxy F`: print the equivalent hactl.conf.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Print the hactl.conf equivalent to a keepalived.conf and/or an haproxy.cfg.",
        discussion: """
        Reads keepalived.conf (VRRP instances, scripts, sync groups, and LVS virtual_server \
        sections, which become 'listen' sections in mode tcp) and haproxy.cfg, validates them \
        together, and prints one hactl.conf on stdout. Nothing on the system is changed.

        Keywords hactl does not support are reported with their line, never dropped: the output \
        is printed only when the whole input is understood. LVS direct routing and tunnelling \
        (lb_kind DR / TUN) are refused: hactl proxies connections itself.

        keepalived.conf usually differs between the nodes only in 'state' and 'priority': with \
        --role-neutral those are left out, so the printed file can be installed on every node and \
        'hactl run --role master' / '--role backup' decide (master 250, backup 240).

        Exit status 0: the configuration is on stdout. Exit status 1: every error is on stderr.

        Example:
          hactl import --role-neutral --keepalived /etc/keepalived/keepalived.conf \\
                       --haproxy /etc/haproxy/haproxy.cfg > /etc/hactl/hactl.conf.new
          hactl check -f /etc/hactl/hactl.conf.new
        """
    )

    @Option(help: ArgumentHelp("A keepalived.conf to import.", valueName: "FILE"))
    var keepalived: String?

    @Option(help: ArgumentHelp("An haproxy.cfg to import.", valueName: "FILE"))
    var haproxy: String?

    @Flag(help: "Leave out 'state' and 'priority' so the same file serves both nodes; 'hactl run --role' sets them.")
    var roleNeutral = false

    func validate() throws {
        if keepalived == nil && haproxy == nil {
            throw ValidationError("give --keepalived FILE, --haproxy FILE, or both")
        }
    }

    func run() throws {
        var files: [String] = []
        var dialects: [ConfigurationLoader.Dialect?] = []
        if let keepalived {
            files.append(keepalived)
            dialects.append(.keepalived)
        }
        if let haproxy {
            files.append(haproxy)
            dialects.append(.haproxy)
        }
        do {
            var configuration = try ConfigurationLoader.load(files: files, dialects: dialects)
            if roleNeutral { configuration = configuration.roleNeutral() }
            print("# hactl.conf imported by 'hactl import' from \(files.joined(separator: " and "))", terminator: "\n\n")
            print(ConfigurationPrinter.print(configuration), terminator: "")
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
