import Dispatch
import HAConfig
import HACore
import NIOCore
import NIOPosix
import Netlink
import Synchronization
import Testing

@testable import VRRP

/// A reload's verdict per instance (`InstanceReloadChange`): untouched, applied live, restarted,
/// started or stopped — decided from the plans alone.
@Suite struct InstanceReloadChangeTests {
    func instance(_ name: String = "VI_1", line: Int = 7, _ edit: (inout VRRPInstanceConfig) -> Void = { _ in }) -> VRRPInstanceConfig {
        var config = VRRPInstanceConfig(
            name: name, location: SourceLocation(file: "hactl.conf", line: line), interface: "eth0", virtualRouterID: 51,
            virtualIPAddresses: [VirtualIPAddress(address: "198.18.0.100", prefixLength: 24)])
        edit(&config)
        return config
    }

    func plans(_ instances: [VRRPInstanceConfig], scripts: [VRRPScriptConfig] = []) throws -> [InstancePlan] {
        try VRRPEngine.plans(for: Configuration(vrrpInstances: instances, vrrpScripts: scripts)) {
            .init(priority: $0.priority ?? 250, state: .backup)
        }
    }

    func verdicts(_ old: [VRRPInstanceConfig], _ new: [VRRPInstanceConfig], scripts: (old: [VRRPScriptConfig], new: [VRRPScriptConfig]) = ([], []))
        throws -> [String: InstanceReloadChange.Verdict]
    {
        let changes = InstanceReloadChange.changes(from: try plans(old, scripts: scripts.old), to: try plans(new, scripts: scripts.new))
        return Dictionary(uniqueKeysWithValues: changes.map { ($0.name, $0.verdict) })
    }

    @Test func test_instanceThatOnlyMovedToOtherLines_isUnchanged() throws {
        #expect(try verdicts([instance(line: 7)], [instance(line: 30)]) == ["VI_1": .unchanged])
    }

    @Test func test_changeToAnotherInstance_leavesThisOneUnchanged() throws {
        let result = try verdicts([instance(), instance("VI_2") { $0.virtualRouterID = 52 }],
            [instance(), instance("VI_2") { $0.virtualRouterID = 52; $0.priority = 90 }])
        #expect(result["VI_1"] == .unchanged)
        #expect(result["VI_2"] == .live([.basePriority(from: 250, to: 90)]))
    }

    @Test func test_priorityChange_isAppliedLive() throws {
        #expect(try verdicts([instance { $0.priority = 100 }], [instance { $0.priority = 120 }]) == ["VI_1": .live([.basePriority(from: 100, to: 120)])])
    }

    @Test func test_vipAdded_isAppliedLive_namingOnlyTheNewAddress() throws {
        let added = instance { $0.virtualIPAddresses.append(VirtualIPAddress(address: "198.18.0.101", prefixLength: 24)) }
        #expect(try verdicts([instance()], [added]) == ["VI_1": .live([.virtualAddresses(added: [IPAddress("198.18.0.101")!], removed: [])])])
    }

    @Test func test_vipRemoved_isAppliedLive_namingOnlyTheRemovedAddress() throws {
        let two = instance { $0.virtualIPAddresses.append(VirtualIPAddress(address: "198.18.0.101", prefixLength: 24)) }
        #expect(try verdicts([two], [instance()]) == ["VI_1": .live([.virtualAddresses(added: [], removed: [IPAddress("198.18.0.101")!])])])
    }

    @Test func test_trackScriptChange_restartsTheTrackersLive() throws {
        let old = VRRPScriptConfig(name: "chk", command: ScriptCommand(argv: ["/bin/true"]), interval: .seconds(2))
        var new = old
        new.interval = .seconds(5)
        let tracked = instance { $0.trackScripts = [TrackReference(name: "chk")] }
        #expect(try verdicts([tracked], [tracked], scripts: ([old], [new])) == ["VI_1": .live([.trackers])])
    }

    @Test(arguments: ["interface", "virtual_router_id", "advert_int", "nopreempt", "unicast_peer"])
    func test_identityOrTimerChange_restartsThatInstanceAlone_sayingWhy(keyword: String) throws {
        let edit: (inout VRRPInstanceConfig) -> Void = { c in
            switch keyword {
            case "interface": c.interface = "eth1"
            case "virtual_router_id": c.virtualRouterID = 52
            case "advert_int": c.advertInterval = .seconds(2)
            case "nopreempt": c.noPreempt = true
            default: c.unicastPeers = ["198.18.0.12"]
            }
        }
        let result = try verdicts(
            [instance(), instance("VI_2") { $0.virtualRouterID = 60 }], [instance(line: 7, edit), instance("VI_2") { $0.virtualRouterID = 60 }])
        guard case .restart(let reason) = result["VI_1"] else {
            Issue.record("\(keyword): \(String(describing: result["VI_1"]))")
            return
        }
        #expect(reason.contains(keyword == "nopreempt" ? "nopreempt" : keyword), "\(reason)")
        #expect(result["VI_2"] == .unchanged)
    }

    @Test func test_newInstance_starts_andRemovedInstance_stops() throws {
        let result = try verdicts([instance()], [instance("VI_2") { $0.virtualRouterID = 52 }])
        #expect(result == ["VI_1": .removed, "VI_2": .added])
    }

    @Test func test_notifyChange_isASettingAppliedLive() throws {
        let result = try verdicts([instance()], [instance { $0.notifyMaster = ScriptCommand(argv: ["/bin/true"]) }])
        #expect(result == ["VI_1": .live([.settings])])
    }
}

/// The watchdog's heartbeat (`VRRPEngine.loopsResponsive`), on real event loops.
@Suite struct LoopHeartbeatTests {
    @Test func test_idleLoops_respondWithinTheDeadline() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = [group.next(), group.next()]
        #expect(await VRRPEngine.loopsRespond(loops, within: .seconds(5)))
        try await group.shutdownGracefully()
    }

    @Test func test_oneBlockedLoop_makesTheVerdictFalse() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = [group.next(), group.next()]
        let release = DispatchSemaphore(value: 0)
        loops[1].execute { release.wait() }
        #expect(await VRRPEngine.loopsRespond(loops, within: .milliseconds(200)) == false)
        release.signal()
        try await group.shutdownGracefully()
    }
}
