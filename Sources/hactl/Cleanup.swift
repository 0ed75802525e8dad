import Appliance
import ArgumentParser
import FoundationEssentials

/// `hactl cleanup -f FILE...`: remove this node's VIPs after hactl stopped (systemd ExecStopPost).
struct Cleanup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove every virtual address of the configuration from this node.",
        discussion: """
        A node whose hactl was killed (SIGKILL, out of memory, a crash) keeps its virtual \
        addresses on its interfaces: it goes on answering ARP for them beside the new master, and \
        clients may follow it. This command removes every virtual_ipaddress of every vrrp_instance \
        in the files from the interface it would be on, and nothing else. An address already gone \
        is no error: running it twice is harmless.

        The unit file runs it after every stop (ExecStopPost=). Do not run it by hand while \
        'hactl run' runs on this node: a MASTER would lose its addresses (run 'hactl failover' \
        first, or stop the service).

        Exit status 0: every address of the configuration is absent now; each one removed is \
        printed. Exit status 1: the files cannot be read, or the kernel refused a removal.

        Example:
          hactl cleanup -f /etc/hactl/hactl.conf
        """
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("A configuration file; repeat -f for several.", valueName: "FILE"))
    var files: [String] = ["/etc/hactl/hactl.conf"]

    func run() throws {
        do {
            let report = try ApplianceCleanup.removeVirtualAddresses(files: files, environment: ProcessInfo.processInfo.environment)
            for address in report.removed { print("removed \(address)") }
            for address in report.skipped { print("skipped \(address): no such interface") }
            print("cleanup: \(report.removed.count) removed, \(report.absent.count) already absent")
        } catch {
            StandardStreams.error("hactl cleanup: \(error)\n")
            throw ExitCode(1)
        }
    }
}
