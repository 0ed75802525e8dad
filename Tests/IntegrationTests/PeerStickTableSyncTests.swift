import Foundation
import Testing

/// Stick tables over the peer link (HAProxy's peers do this for stick tables): a client stuck to
/// a server on the master reaches the same server on the new master after a failover; a table
/// without `peers` is not shared; the entries survive a reload with the table unchanged.
@Suite(.serialized) struct PeerStickTableSyncTests {
    static func configuration(keyFile: String, serverTimeout: String = "5s") -> String {
        """
        global
            vrrp_version 3
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server \(serverTimeout)

        vrrp_instance VI_1
            interface eth0
            virtual_router_id 51
            advert_int 1
            virtual_ipaddress \(VRRPLab.vip)/24

        frontend www
            bind \(VRRPLab.vip):80
            default_backend web

        frontend www-local
            bind \(VRRPLab.vip):81
            default_backend local

        backend web
            balance roundrobin
            stick-table type ip size 10k expire 30m peers pair
            stick on src
            server s1 198.18.0.10:8081 check inter 300ms
            server s2 198.18.0.11:8081 check inter 300ms

        backend local
            balance roundrobin
            stick-table type ip size 10k expire 30m
            stick on src
            server s1 198.18.0.10:8081 check inter 300ms
            server s2 198.18.0.11:8081 check inter 300ms

        peers pair
            peer n1 198.18.0.10:7100
            peer n2 198.18.0.11:7100
            peer-key \(keyFile)

        """
    }

    /// HAProxy's runtime API on the control socket, as an operator's socat would send it.
    static func runtimeAPI(_ socket: String, _ line: String) -> String {
        (try? NamespaceLab.run(["socat", "-t", "2", "-", "UNIX-CONNECT:\(socket)"], input: line + "\n")) ?? ""
    }

    /// The server the entry for the client's address names in `table`, or nil.
    static func entry(_ socket: String, table: String) -> String? {
        let text = runtimeAPI(socket, "show table \(table)")
        guard let line = text.split(separator: "\n").first(where: { $0.contains("key=198.18.0.12 ") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("server_key=") }) else { return nil }
        return String(field.dropFirst("server_key=".count))
    }

    /// Which web server (named after its host) answered the client through the VIP.
    static func get(_ lab: VRRPLab, port: Int = 80) -> String? {
        (try? lab.lab.exec("client", ["curl", "-s", "--max-time", "2", "http://\(VRRPLab.vip):\(port)/"]))
    }

    /// The lab of every case: a web server on each node, the pair's key, each node's control socket.
    static func pairLab() throws -> (lab: VRRPLab, key: String, socket1: String, socket2: String) {
        let lab = try VRRPLab()
        try ControlPlaneTests.startWebServer(lab, "n1")
        try ControlPlaneTests.startWebServer(lab, "n2")
        let key = try lab.lab.writeFile("pair.key", "0123456789abcdef0123456789abcdef\n")
        return (lab, key, "\(lab.lab.runDirectory)/n1.sock", "\(lab.lab.runDirectory)/n2.sock")
    }

    @Test func test_stuckClient_keepsItsServerAcrossAFailoverAndAReload() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (lab, key, socket1, socket2) = try Self.pairLab()
        let config = Self.configuration(keyFile: key)
        let n1 = try lab.startHactl("n1", role: "master", config: config, arguments: ["-S", socket1])
        let n2 = try lab.startHactl("n2", role: "backup", config: config, arguments: ["-S", socket2])
        defer {
            n1.stop()
            n2.stop()
        }
        #expect(lab.lab.wait(timeout: .seconds(15), interval: .milliseconds(50)) {
            // Through the unshared table's frontend: the client has no entry in `web` yet.
            n2.log.contains("peer link up") && lab.holdsVIP("n1") && Self.get(lab, port: 81) != nil
        } != nil, "pair never came up: \(n1.log)\n\(n2.log)")

        // The client sticks to s2: placed there while s1 drains, then s1 is ready again on both
        // nodes. Without the entry, each node's round robin starts at s1, so a node lacking the
        // entry sends the client to s1 (the failover below would show it).
        #expect(try ControlPlaneTests.hactl(["server", "drain", "web/s1", "-S", socket1]).status == 0)
        #expect(lab.lab.wait(timeout: .seconds(2), interval: .milliseconds(20)) { PeerOverrideSyncTests.admin(socket2, "s1") == "drain" } != nil)
        #expect(Self.get(lab) == "n2")
        #expect(try ControlPlaneTests.hactl(["server", "enable", "web/s1", "-S", socket1]).status == 0)
        #expect(lab.lab.wait(timeout: .seconds(2), interval: .milliseconds(20)) { PeerOverrideSyncTests.admin(socket2, "s1") == "ready" } != nil)
        // On the master: every request of the client reaches s2 (round robin would alternate).
        let answers = (0..<6).compactMap { _ in Self.get(lab) }
        #expect(answers == Array(repeating: "n2", count: 6), "\(answers)")
        let stuck = "n2", server = "s2"
        #expect(Self.entry(socket1, table: "web") == server, "\(Self.runtimeAPI(socket1, "show table web"))")
        // The table without `peers` has the client too (the readiness requests); it stays n1's.
        #expect(Self.entry(socket1, table: "local") != nil, "\(Self.runtimeAPI(socket1, "show table local"))")

        // The backup learns the shared entry within a second; the unshared table stays empty there.
        #expect(lab.lab.wait(timeout: .seconds(1), interval: .milliseconds(20)) { Self.entry(socket2, table: "web") == server } != nil,
                "n2: \(Self.runtimeAPI(socket2, "show table")) \(n2.log)")
        #expect(Self.entry(socket2, table: "local") == nil)
        #expect(Self.runtimeAPI(socket2, "show table").contains("# table: local, type: ip, size:10240, used:0"))

        // Failover: the master stops (SIGTERM); the client, now on n2, still reaches its server.
        n1.stop()
        #expect(lab.lab.wait(timeout: .seconds(10), interval: .milliseconds(20)) { lab.holdsVIP("n2") } != nil, "\(n2.log)")
        let after = (0..<6).compactMap { _ in Self.get(lab) }
        #expect(after == Array(repeating: stuck, count: 6), "after failover: \(after)")

        // Reload of n2 with the table unchanged (another server timeout: the proxy is replaced).
        _ = try lab.lab.writeFile("n2.conf", Self.configuration(keyFile: key, serverTimeout: "6s"))
        n2.send(SIGHUP)
        #expect(lab.lab.wait(timeout: .seconds(10), interval: .milliseconds(50)) { n2.log.contains("reload applied") } != nil, "\(n2.log)")
        #expect(n2.log.contains("stick table kept across the reload"), "\(n2.log)")
        #expect(Self.entry(socket2, table: "web") == server, "\(Self.runtimeAPI(socket2, "show table web"))")
        let reloaded = (0..<6).compactMap { _ in Self.get(lab) }
        #expect(reloaded == Array(repeating: stuck, count: 6), "after reload: \(reloaded)")
    }

    @Test func test_peerStartedLater_isTaughtTheLiveEntriesOnConnect() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (lab, key, socket1, socket2) = try Self.pairLab()
        let config = Self.configuration(keyFile: key)
        let n1 = try lab.startHactl("n1", role: "master", config: config, arguments: ["-S", socket1])
        defer { n1.stop() }
        #expect(lab.lab.wait(timeout: .seconds(15), interval: .milliseconds(50)) { lab.holdsVIP("n1") && Self.get(lab) != nil } != nil, "\(n1.log)")
        let server = try #require(Self.entry(socket1, table: "web"), "\(Self.runtimeAPI(socket1, "show table web"))")
        #expect(Self.get(lab, port: 81) != nil)
        #expect(Self.entry(socket1, table: "local") != nil)

        // n2 starts after the entry exists: nothing is pushed to it, it learns it from the resync.
        let n2 = try lab.startHactl("n2", role: "backup", config: config, arguments: ["-S", socket2])
        defer { n2.stop() }
        #expect(lab.lab.wait(timeout: .seconds(10), interval: .milliseconds(50)) { Self.entry(socket2, table: "web") == server } != nil,
                "n2 never learnt the entry: \(Self.runtimeAPI(socket2, "show table web")) \(n1.log)")
        #expect(n1.log.contains("stick tables sent to the peer (resync)"), "\(n1.log)")
        #expect(Self.entry(socket2, table: "local") == nil, "a table without peers is never taught")
    }

    /// The supervisor restarts a failed proxy while the peer link stays up: the new proxy's
    /// tables start empty, and no connection resync will come (HAProxy's restarted process gets
    /// the entries from its peers as it reconnects). The restarted proxy asks the peer for them.
    @Test func test_proxyRestartedBySupervisor_asksThePeerForItsEntries_overTheLinkThatStayedUp() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let (lab, key, socket1, socket2) = try Self.pairLab()
        let config = Self.configuration(keyFile: key)
        let failFile = "\(lab.lab.runDirectory)/n2-proxy-fails"
        let n1 = try lab.startHactl("n1", role: "master", config: config, arguments: ["-S", socket1])
        // n2 carries the debug-only fault hook: its proxy fails once the file exists.
        let n2Config = try lab.lab.writeFile("n2.conf", config)
        let n2 = try lab.lab.spawn("n2", [
            "env", "HACTL_TEST_FAIL_PROXY_WHEN_FILE_EXISTS=\(failFile)",
            VRRPLab.hactlBinary, "run", "--role", "backup", "-f", n2Config, "-S", socket2,
        ], name: "n2-hactl-\(UInt16.random(in: 0...UInt16.max))")
        defer {
            n1.stop()
            n2.stop()
        }
        #expect(lab.lab.wait(timeout: .seconds(15), interval: .milliseconds(50)) {
            n2.log.contains("peer link up") && lab.holdsVIP("n1") && Self.get(lab) != nil
        } != nil, "pair never came up: \(n1.log)\n\(n2.log)")
        let server = try #require(Self.entry(socket1, table: "web"), "\(Self.runtimeAPI(socket1, "show table web"))")
        #expect(lab.lab.wait(timeout: .seconds(2), interval: .milliseconds(20)) { Self.entry(socket2, table: "web") == server } != nil,
                "n2: \(Self.runtimeAPI(socket2, "show table web"))")
        let linkUps = n2.log.components(separatedBy: "peer link up").count

        // No client request from here on: n1 stores nothing more, so nothing is pushed to n2
        // unless n2 asks.
        _ = try lab.lab.writeFile("n2-proxy-fails", "")
        #expect(lab.lab.wait(timeout: .seconds(15), interval: .milliseconds(50)) {
            n2.log.contains("test fault: the proxy fails now") && n2.log.contains("stick tables requested from the peer (resync)")
        } != nil, "n2: \(n2.log)")
        #expect(lab.lab.wait(timeout: .seconds(5), interval: .milliseconds(50)) { Self.entry(socket2, table: "web") == server } != nil,
                "the restarted proxy never got the entry back: \(Self.runtimeAPI(socket2, "show table web")) n1: \(n1.log)\nn2: \(n2.log)")
        #expect(n1.log.contains("the peer's proxy restarted"), "n1 answered the request: \(n1.log)")
        #expect(n2.log.components(separatedBy: "peer link up").count == linkUps, "the link stayed up: \(n2.log)")
        #expect(Self.entry(socket2, table: "local") == nil, "a table without peers is never taught")
    }
}
