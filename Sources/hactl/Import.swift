import ArgumentParser
import HAConfig

/// `hactl import --keepalived F [--keepalived F] --haproxy F`: print the one equivalent hactl.conf
/// for every node (`RoleNeutralImport`).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Print the one hactl.conf, for every node, equivalent to the nodes' keepalived.conf and an haproxy.cfg.",
        discussion: """
        Reads keepalived.conf (VRRP instances, scripts, sync groups, and LVS virtual_server \
        sections, which become 'listen' sections in mode tcp) and haproxy.cfg, validates them \
        together, and prints one hactl.conf on stdout. Nothing on the system is changed.

        Keywords hactl does not support are reported with their line, never dropped: the output \
        is printed only when the whole input is understood. LVS direct routing and tunnelling \
        (lb_kind DR / TUN) are refused: hactl proxies connections itself.

        The printed file is the same for every node: 'hactl run --role master' on one node and \
        '--role backup' on the other set each VRRP instance's state and priority (master 250, \
        backup 240). Give each node's keepalived.conf with its own --keepalived: they may differ \
        only in state, priority, unicast_src_ip, unicast_peer (the nodes' own addresses), \
        mcast_src_ip, router_id and notification_email_from. Those are left out of the printed \
        file (a comment records each node's values; unicast_peer lists every node, and each node \
        skips its own address); any other difference is an error naming its line in both files. \
        With one node's file, its state, priority and source address lines are left out the \
        same way, and stderr says which.

        Exit status 0: the configuration is on stdout (notes, if any, on stderr). \
        Exit status 1: every error is on stderr, nothing on stdout.

        Example:
          hactl import --keepalived lb1/keepalived.conf --keepalived lb2/keepalived.conf \\
                       --haproxy /etc/haproxy/haproxy.cfg > /etc/hactl/hactl.conf.new
          hactl check -f /etc/hactl/hactl.conf.new
        """
    )

    @Option(help: ArgumentHelp("A node's keepalived.conf to import; repeat it for each node's file.", valueName: "FILE"))
    var keepalived: [String] = []

    @Option(help: ArgumentHelp("An haproxy.cfg to import.", valueName: "FILE"))
    var haproxy: String?

    /// Import is always role-neutral now; the flag stays so scripts that pass it keep working.
    @Flag(help: .hidden)
    var roleNeutral = false

    func validate() throws {
        if keepalived.isEmpty && haproxy == nil {
            throw ValidationError("give --keepalived FILE, --haproxy FILE, or both")
        }
        if let repeated = keepalived.first(where: { file in keepalived.filter { $0 == file }.count > 1 }) {
            throw ValidationError("--keepalived \(repeated) is given twice: give each node's file once")
        }
    }

    func run() throws {
        do {
            let imported = try RoleNeutralImport.load(keepalived: keepalived, haproxy: haproxy)
            for note in imported.notes { StandardStreams.error(note.description + "\n") }
            print(imported.text, terminator: "")
        } catch {
            StandardStreams.error(error.description + "\n")
            throw ExitCode(1)
        }
    }
}
