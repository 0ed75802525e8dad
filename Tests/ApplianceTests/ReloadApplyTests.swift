@testable import Appliance
import HAConfig
import Testing

@Suite struct ReloadApplyTests {
    let instance = VRRPInstanceConfig(name: "VI_1", interface: "eth0", virtualRouterID: 51, priority: 250)

    @Test func test_vrrpInstanceChanges_whileTheEngineRuns_areLeftToTheEngineNotToARestart() async {
        var changed = instance
        changed.priority = 100
        let diff = ConfigurationDiff(from: Configuration(vrrpInstances: [instance]), to: Configuration(vrrpInstances: [changed]))
        let report = await ApplianceComponents.apply(diff, resolved: Configuration(vrrpInstances: [changed]), proxy: nil, vrrpRunning: true)
        #expect(report.needsRestart.isEmpty)
        #expect(report.failed.isEmpty)
    }

    @Test func test_vrrpInstanceAdded_withoutARunningEngine_needsARestart_withTheReasonNamed() async {
        let diff = ConfigurationDiff(from: Configuration(), to: Configuration(vrrpInstances: [instance]))
        let report = await ApplianceComponents.apply(diff, resolved: Configuration(vrrpInstances: [instance]), proxy: nil, vrrpRunning: false)
        #expect(report.applied.isEmpty)
        #expect(report.needsRestart.map(\.change) == [.init(.added, .vrrpInstance, "VI_1")])
        #expect(report.needsRestart.first?.reason.contains("restart hactl") == true)
    }

    @Test func test_vrrpSyncGroupChange_needsARestart() async {
        let group = VRRPSyncGroupConfig(name: "G", members: ["VI_1"])
        let old = Configuration(vrrpInstances: [instance])
        let new = Configuration(vrrpInstances: [instance], vrrpSyncGroups: [group])
        let report = await ApplianceComponents.apply(ConfigurationDiff(from: old, to: new), resolved: new, proxy: nil, vrrpRunning: true)
        #expect(report.needsRestart.map(\.change) == [.init(.added, .vrrpSyncGroup, "G")])
    }

    let pair = PeersConfig(name: "pair", peers: [
        PeersConfig.Peer(name: "n1", address: "198.18.0.10", port: 7100),
        PeersConfig.Peer(name: "n2", address: "198.18.0.11", port: 7100),
    ], keyFile: "/etc/hactl/peer.key")

    @Test func test_peersSectionChanged_needsARestart_withTheReasonNamed() async {
        let old = Configuration(peers: pair)
        var moved = pair
        moved.peers[1].port = 7200
        let new = Configuration(peers: moved)
        let report = await ApplianceComponents.apply(ConfigurationDiff(from: old, to: new), resolved: new, proxy: nil, vrrpRunning: true)
        #expect(report.applied.isEmpty)
        #expect(report.needsRestart.map(\.change) == [.init(.changed, .peers, "pair")])
        #expect(report.needsRestart.first?.reason.contains("peer link reads its peers, localpeer and peer-key at start") == true)
        #expect(ConfigurationReloader.Outcome.applied(report).operatorText.hasPrefix("needs a restart: changed peers pair (peer link) (the peer link reads"))
    }

    @Test func test_peerKeyOrLocalpeerChanged_needsARestart_notAProxyReplace() async {
        var old = Configuration(peers: pair)
        old.global.localPeer = "n1"
        var otherKey = old
        otherKey.peers?.keyFile = "/etc/hactl/other.key"
        var otherLocal = old
        otherLocal.global.localPeer = "n2"
        for new in [otherKey, otherLocal] {
            let diff = ConfigurationDiff(from: old, to: new)
            #expect(diff.changes == [.init(.changed, .peers, "pair")])
            let report = await ApplianceComponents.apply(diff, resolved: new, proxy: nil, vrrpRunning: true)
            #expect(report.needsRestart.map(\.change) == [.init(.changed, .peers, "pair")])
        }
    }

    @Test func test_proxyChanges_withoutARunningProxy_needARestart() async {
        let new = Configuration(frontends: [Frontend(name: "web", binds: [Bind(port: 80)])])
        let diff = ConfigurationDiff(from: Configuration(), to: new)
        let report = await ApplianceComponents.apply(diff, resolved: new, proxy: nil, vrrpRunning: false)
        #expect(report.needsRestart.map(\.change) == [.init(.added, .frontend, "web")])
        #expect(report.needsRestart.first?.reason == "hactl started without frontends; restart it to start the proxy")
    }

    @Test func test_vrrpGlobalKeys_withoutAnyVRRPInstance_countAsApplied() async {
        var new = Configuration()
        new.global.vrrpVersion = new.global.vrrpVersion == 2 ? 3 : 2
        let diff = ConfigurationDiff(from: Configuration(), to: new)
        let report = await ApplianceComponents.apply(diff, resolved: new, proxy: nil, vrrpRunning: false)
        #expect(report.applied == [.init(.changed, .globalDefs, "global")])
        #expect(report.isComplete)
    }
}
