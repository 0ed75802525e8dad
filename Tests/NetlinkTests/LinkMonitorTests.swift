import Foundation
import Netlink
import Synchronization
import Testing

/// RTM_NEWLINK events for track_interface, from a real namespace (root only).
@Suite(.serialized) struct LinkMonitorTests {
    let namespace = "hv-lm-\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"

    func ip(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "-n", namespace] + arguments
        try process.run()
        process.waitUntilExit()
    }

    @Test func test_carrierLossAndReturnAreReportedWithTheInterfaceIndex() throws {
        guard getuid() == 0 else { return print("skipped: needs root") }
        let add = Process()
        add.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        add.arguments = ["ip", "netns", "add", namespace]
        try add.run()
        add.waitUntilExit()
        defer {
            let del = Process()
            del.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            del.arguments = ["ip", "netns", "del", namespace]
            try? del.run()
            del.waitUntilExit()
        }
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
