import Foundation
import Netlink
import Synchronization
import Testing
import TestSupport

/// RTM_NEWLINK events for track_interface, from a real namespace (root only).
@Suite(.serialized) struct LinkMonitorTests {
    let namespace = "hv-lm-\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"

    func ip(_ arguments: [String]) throws {
        try ChildProcess("/usr/bin/env", ["ip", "-n", namespace] + arguments).waitUntilExit()
    }

    @Test func test_carrierLossAndReturnAreReportedWithTheInterfaceIndex() throws {
        guard getuid() == 0 else { return print("skipped: needs root") }
        try ChildProcess("/usr/bin/env", ["ip", "netns", "add", namespace]).waitUntilExit()
        defer { _ = try? ChildProcess("/usr/bin/env", ["ip", "netns", "del", namespace]).waitUntilExit() }
        try ip(["link", "add", "trk0", "type", "veth", "peer", "name", "trk1"])
        try ip(["link", "set", "trk0", "up"])
        try ip(["link", "set", "trk1", "up"])

        let events = Mutex<[(UInt32, Bool)]>([])
        let (monitor, index) = try NetworkNamespace.run(in: namespace) {
            (try LinkMonitor { index, up in events.withLock { $0.append((index, up)) } }, NetworkInterface(name: "trk0")?.index)
        }
        defer { monitor.stop() }
        let trk0 = try #require(index)

        // The peer going down takes trk0's carrier away (IFF_RUNNING clears); it coming back restores it.
        try ip(["link", "set", "trk1", "down"])
        #expect(waitFor { events.withLock { $0.contains { $0.0 == trk0 && !$0.1 } } })
        try ip(["link", "set", "trk1", "up"])
        #expect(waitFor { events.withLock { $0.contains { $0.0 == trk0 && $0.1 } } })
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
