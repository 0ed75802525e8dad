import ArgumentParser
import Control

/// `hactl failover`: hand this node's VIPs to the peer, or take them with --force.
struct Failover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the VIPs: hand them to the peer (on the MASTER) or take them (--force on a BACKUP).",
        discussion: """
            On a MASTER: sends a priority-0 advert so the peer takes the VIPs, and stays BACKUP at a \
            held-down priority until 'hactl failover --clear' or a restart. Refused when no peer has \
            advertised within Master_Down_Interval (nobody would take over); --force does it anyway.

            On a BACKUP: --force takes the VIPs (this node advertises above the master's priority \
            and the master yields); without --force it explains what --force would do.

            Prints what happened to every instance (or only --instance NAME). With --wait it \
            returns once the change is visible (VIPs released or held) and prints how long it took.
            Exit status: 0 done, 1 refused, 2 the node cannot be reached.
            """
    )

    @OptionGroup var socket: ControlSocketOption

    @Option(name: .long, help: "Only this VRRP instance.")
    var instance: String?

    @Flag(name: .long, help: "Do it even when no peer is known to be alive (MASTER), or take the VIPs (BACKUP).")
    var force = false

    @Flag(name: .long, help: "End a failover hold: this node may become MASTER again by the usual rules.")
    var clear = false

    @Flag(name: .long, help: "Wait until the change is visible and print the time it took.")
    var wait = false

    func run() async throws {
        let request = ControlCommand.Failover(instance: instance, force: force, clear: clear, wait: wait)
        try socket.finish(try await socket.send(.failover(request), timeout: .seconds(30)))
    }
}
