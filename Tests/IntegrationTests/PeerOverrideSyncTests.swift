import Foundation
import Testing

/// State sync over the peer link: the operator's drain on one node is an operator override on
/// the other within a second, and a peer that restarts receives the current overrides.
@Suite(.serialized) struct PeerOverrideSyncTests {
    static func configuration(keyFile: String) -> String {
        ControlPlaneTests.configuration + """

            peers pair
                peer n1 198.18.0.10:7100
                peer n2 198.18.0.11:7100
                peer-key \(keyFile)

            """
    }

    static func admin(_ socket: String, _ server: String) -> String? {
        (try? ControlPlaneTests.statusJSON(socket)).flatMap { ControlPlaneTests.server($0, server)["admin"] as? String }
    }

    static func weight(_ socket: String, _ server: String) -> Int? {
        (try? ControlPlaneTests.statusJSON(socket)).flatMap { ControlPlaneTests.server($0, server)["weight"] as? Int }
    }

    @Test func test_drainOnN1_isAppliedOnN2WithinASecond_andARestartedPeerReceivesIt() throws {
        guard NamespaceLab.isAvailable else { return print("skipped: needs root") }
        let lab = try VRRPLab()
        let key = try lab.lab.writeFile("pair.key", "0123456789abcdef0123456789abcdef\n")
        let socket1 = "\(lab.lab.runDirectory)/n1.sock", socket2 = "\(lab.lab.runDirectory)/n2.sock"
        let config = Self.configuration(keyFile: key)
        let n1 = try lab.startHactl("n1", role: "master", config: config, arguments: ["-S", socket1])
        var n2 = try lab.startHactl("n2", role: "backup", config: config, arguments: ["-S", socket2])
        defer {
            n1.stop()
            n2.stop()
        }
        #expect(lab.lab.wait(timeout: .seconds(10), interval: .milliseconds(50)) { n2.log.contains("peer link up") && Self.admin(socket2, "s1") != nil } != nil,
                "peer link never came up: \(n2.log)")
        #expect(Self.admin(socket2, "s1") == "ready")

        let drain = try ControlPlaneTests.hactl(["server", "drain", "web/s1", "-S", socket1])
        #expect(drain.status == 0, "\(drain.stderr)")
        let started = ContinuousClock.now
        let synced = lab.lab.wait(timeout: .seconds(1), interval: .milliseconds(50)) { Self.admin(socket2, "s1") == "drain" }
        #expect(synced != nil, "n2 never drained s1 (after \(started.duration(to: .now))): \(n2.log)")
        #expect(Self.admin(socket1, "s1") == "drain")

        // A weight set on the other node goes the other way; n1's drain is not undone.
        #expect(try ControlPlaneTests.hactl(["server", "weight", "web/s2", "7", "-S", socket2]).status == 0)
        #expect(lab.lab.wait(timeout: .seconds(1), interval: .milliseconds(50)) { Self.weight(socket1, "s2") == 7 } != nil, "\(n1.log)")
        #expect(Self.admin(socket1, "s1") == "drain" && Self.admin(socket2, "s1") == "drain")

        // n2 restarts with no override of its own: it receives n1's on reconnection.
        n2.stop()
        n2 = try lab.startHactl("n2", role: "backup", config: config, arguments: ["-S", socket2])
        #expect(lab.lab.wait(timeout: .seconds(10), interval: .milliseconds(50)) { Self.admin(socket2, "s1") == "drain" } != nil,
                "the restarted n2 never got the drain: \(n2.log)")
        #expect(n2.log.contains("operator override from the peer applied"), "\(n2.log)")
    }
}
