import Appliance
import ArgumentParser

@main
struct Hactl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hactl",
        abstract: "One process per load-balancer node: VRRP (keepalived's job) and the proxy (HAProxy's job).",
        subcommands: [Run.self, Status.self, Failover.self, Server.self, Frontend.self, Reload.self, Check.self, Import.self, Cleanup.self, Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print hactl's version.")
    func run() {
        print("hactl \(ApplianceVersion.current)")
    }
}
