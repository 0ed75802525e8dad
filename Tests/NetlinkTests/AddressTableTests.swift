import Foundation
import Netlink
import Testing
import TestSupport

/// libnl-route-3 address changes, inside a throw-away namespace (root only).
@Suite(.serialized) struct AddressTableTests {
    let namespace = "hv-nl-\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"

    func shell(_ arguments: [String]) throws -> String {
        try ChildProcess.run("/usr/bin/env", arguments, standardError: .inherit).standardOutput
    }

    @Test func test_addListAndRemoveAVirtualAddressWithLabelBroadcastAndScope() throws {
        guard getuid() == 0 else { return print("skipped: needs root") }
        _ = try shell(["ip", "netns", "add", namespace])
        defer { _ = try? shell(["ip", "netns", "del", namespace]) }
        _ = try shell(["ip", "-n", namespace, "link", "add", "vip0", "type", "veth", "peer", "name", "vip1"])
        _ = try shell(["ip", "-n", namespace, "link", "set", "vip0", "up"])
        _ = try shell(["ip", "-n", namespace, "link", "set", "vip1", "up"])

        let (table, interface) = try NetworkNamespace.run(in: namespace) {
            (try AddressTable(), NetworkInterface(name: "vip0"))
        }
        let index = try #require(interface).index
        let vip = InterfaceAddress(
            address: IPAddress("198.18.5.1")!, prefixLength: 24, interfaceIndex: index, label: "vip0:ha",
            broadcast: InterfaceAddress.broadcast(of: IPAddress("198.18.5.1")!, prefixLength: 24), scope: 0)
        try table.add(vip)
        try table.add(vip)  // already there: still fine

        let shown = try shell(["ip", "-n", namespace, "-o", "addr", "show", "dev", "vip0"])
        #expect(shown.contains("inet 198.18.5.1/24 brd 198.18.5.255 scope global vip0:ha"), "\(shown)")
        #expect(try table.addresses(interfaceIndex: index).contains { $0.address == vip.address && $0.label == "vip0:ha" })

        try table.remove(vip)
        #expect(!(try shell(["ip", "-n", namespace, "-o", "addr", "show", "dev", "vip0"])).contains("198.18.5.1"))
        try table.remove(vip)  // already gone: still fine
    }

    @Test func test_enteringAMissingNamespaceIsAnError() {
        #expect(throws: NetworkNamespace.Failure.self) { try NetworkNamespace.run(in: "hv-does-not-exist") { 1 } }
    }
}
