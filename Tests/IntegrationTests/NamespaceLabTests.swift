import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The lab itself: namespaces on a bridge that reach each other, and nothing left behind.
@Suite(.serialized) struct NamespaceLabTests {
    @Test func test_hostsOnTheBridgeReachEachOther_andDestroyRemovesEveryNamespace() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let lab = try NamespaceLab(tag: "hv", hosts: [("a", "198.18.0.1/24"), ("b", "198.18.0.2/24")])
        let listener = try lab.spawn(
            "b",
            ["python3", "-c", "import socket\ns=socket.socket()\ns.bind(('198.18.0.2',9))\ns.listen(1)\nc,_=s.accept()\nc.sendall(b'hi')"],
            name: "listener")
        let reached = lab.wait(timeout: .seconds(5), interval: .milliseconds(50)) {
            (try? lab.exec(
                "a", ["python3", "-c", "import socket;print(socket.create_connection(('198.18.0.2',9),timeout=1).recv(2).decode())"]))?
                .hasPrefix("hi") == true
        }
        #expect(reached != nil)
        #expect(lab.addresses("a") == ["198.18.0.1"])
        let prefix = lab.prefix
        lab.destroy()
        #expect(!listener.isRunning)
        let remaining = try NamespaceLab.run(["ip", "netns", "list"])
        #expect(!remaining.contains(prefix))
    }
}
