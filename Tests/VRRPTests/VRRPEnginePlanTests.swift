import HAConfig
import HACore
import Netlink
import Testing

@testable import VRRP

/// From the typed configuration to what an instance runs with.
@Suite struct VRRPEnginePlanTests {
    func instance(_ edit: (inout VRRPInstanceConfig) -> Void = { _ in }) -> VRRPInstanceConfig {
        var config = VRRPInstanceConfig(
            name: "VI_1", location: SourceLocation(file: "hactl.conf", line: 7), interface: "eth0", virtualRouterID: 51,
            virtualIPAddresses: [VirtualIPAddress(address: "198.18.0.100", prefixLength: 24)])
        edit(&config)
        return config
    }

    func plan(_ config: VRRPInstanceConfig, global: GlobalSettings = GlobalSettings(), priority: Int = 250)
        throws(VRRPConfigurationErrors) -> InstancePlan
    {
        try VRRPEngine.plan(
            for: config, in: Configuration(global: global, vrrpInstances: [config]),
            settings: .init(priority: priority, state: .master))
    }

    @Test func test_versionDefaultsToGlobalVrrpVersion2LikeKeepalived() throws {
        #expect(try plan(instance()).version == .v2)
        var global = GlobalSettings()
        global.vrrpVersion = 3
        #expect(try plan(instance(), global: global).version == .v3)
        #expect(try plan(instance { $0.version = 3 }).version == .v3)
    }

    @Test func test_passAuthenticationIsUsedWithVersion2() throws {
        let result = try plan(instance { $0.authentication = .pass("1215") })
        #expect(result.authentication == .password("1215"))
    }

    @Test func test_passAuthenticationWithVersion3IsIgnoredWithAWarningLikeKeepalived() throws {
        let result = try plan(instance { $0.version = 3; $0.authentication = .pass("1215") })
        #expect(result.authentication == .none)
        #expect(result.warnings.count == 1)
    }

    @Test func test_ahAuthenticationIsRefusedWithTheLine() {
        #expect(throws: VRRPConfigurationErrors.self) { try plan(instance { $0.authentication = .ah("x") }) }
        do {
            _ = try plan(instance { $0.authentication = .ah("x") })
        } catch {
            #expect(error.description.hasPrefix("hactl.conf:7:1: error: vrrp_instance 'VI_1':"))
        }
    }

    @Test func test_everyRefusalOfAnInstanceIsReportedWithItsLine() {
        let vipLine = SourceLocation(file: "hactl.conf", line: 9)
        let trackLine = SourceLocation(file: "hactl.conf", line: 12)
        do {
            _ = try plan(instance {
                $0.authentication = .ah("x")
                $0.virtualIPAddresses.append(VirtualIPAddress(address: "198.18.0.300", prefixLength: 24, location: vipLine))
                $0.trackScripts = [TrackReference(name: "chk_missing", location: trackLine)]
            })
            Issue.record("an instance with three faults was accepted")
        } catch {
            #expect(error.errors.map(\.location) == [SourceLocation(file: "hactl.conf", line: 7), vipLine, trackLine])
            #expect(error.errors.map(\.message) == [
                "auth_type AH is not supported by hactl; use PASS or none",
                "virtual_ipaddress 198.18.0.300 is not an IP address",
                "track_script chk_missing: no vrrp_script of that name",
            ])
        }
    }

    @Test func test_version2WithSubSecondIntervalIsRefused() {
        #expect(throws: VRRPConfigurationErrors.self) {
            try plan(instance { $0.advertInterval = .milliseconds(100) })
        }
    }

    @Test func test_version2WithIPv6IsRefused() {
        #expect(throws: VRRPConfigurationErrors.self) {
            try plan(instance { $0.virtualIPAddresses = [VirtualIPAddress(address: "2001:db8::1")] })
        }
    }

    @Test func test_v3ChecksumAsV2SelectsMessageOnlyChecksum() throws {
        #expect(try plan(instance { $0.version = 3 }).checksumStyle == .pseudoHeader)
        #expect(try plan(instance { $0.version = 3; $0.v3ChecksumAsV2 = true }).checksumStyle == .vrrpMessageOnly)
    }

    @Test func test_excludedAddressesAreAddedButNotAdvertised() throws {
        let result = try plan(instance { $0.excludedVirtualIPAddresses = [VirtualIPAddress(address: "198.18.1.1")] })
        #expect(result.advertisedAddresses == [IPAddress("198.18.0.100")!])
        #expect(result.virtualAddresses.count == 2)
    }

    @Test func test_unknownTrackScriptIsAnError() {
        #expect(throws: VRRPConfigurationErrors.self) {
            try plan(instance { $0.trackScripts = [TrackReference(name: "chk_missing")] })
        }
    }

    @Test func test_trackReferenceWeightOverridesTheScriptsOwn() throws {
        let config = instance { $0.trackScripts = [TrackReference(name: "chk", weight: -30)] }
        let script = VRRPScriptConfig(name: "chk", command: ScriptCommand(argv: ["true"]), weight: -10)
        let result = try VRRPEngine.plan(
            for: config, in: Configuration(vrrpInstances: [config], vrrpScripts: [script]),
            settings: .init(priority: 250, state: .master))
        #expect(result.scripts.first?.weight == -30)
    }

    @Test func test_nopreemptTurnsPreemptOff() throws {
        #expect(try plan(instance { $0.noPreempt = true }).preempt == false)
    }

    // keepalived.conf(5): nopreempt and preempt_delay need an initial state other than MASTER.

    @Test func test_stateMasterInTheFileWithNopreempt_clearsNopreemptWithAWarningLikeKeepalived() throws {
        let stateLine = SourceLocation(file: "hactl.conf", line: 8)
        let result = try plan(instance {
            $0.initialState = .master
            $0.keywordLocations["state"] = stateLine
            $0.noPreempt = true
        })
        #expect(result.preempt == true)
        #expect(result.warnings == [
            "nopreempt will not work with initial state MASTER (state MASTER at hactl.conf:8:1): preemption stays on, "
                + "as keepalived does; leave state out and let hactl run --role set it to keep nopreempt"
        ])
        #expect(result.preemptionInEffect == "on")
    }

    @Test func test_stateMasterInTheFileWithPreemptDelay_clearsTheDelayWithAWarning() throws {
        let result = try plan(instance { $0.initialState = .master; $0.preemptDelay = .seconds(30) })
        #expect(result.preemptDelay == .zero)
        #expect(result.warnings.count == 1 && result.warnings[0].hasPrefix("preempt_delay will not work with initial state MASTER"))
    }

    @Test func test_roleMasterWithNopreempt_keepsNopreempt_becauseTheRoleOnlySetsPriorityAndState() throws {
        // plan(_:) resolves as `hactl run --role master` does: state MASTER from the role, none in the file.
        let result = try plan(instance { $0.noPreempt = true })
        #expect(result.preempt == false)
        #expect(result.warnings.isEmpty)
        #expect(result.preemptionInEffect == "off (nopreempt)")
    }

    @Test func test_roleMasterWithPreemptDelay_keepsTheDelay() throws {
        let result = try plan(instance { $0.preemptDelay = .milliseconds(2500) })
        #expect(result.preemptDelay == .milliseconds(2500))
        #expect(result.preemptionInEffect == "on after 2.5s (preempt_delay)")
        #expect(result.warnings.isEmpty)
    }

    @Test func test_multicastGroupDefaultsAndGlobalOverride() throws {
        #expect(try plan(instance()).multicastGroup == IPAddress("224.0.0.18")!)
        var global = GlobalSettings()
        global.vrrpMcastGroup4 = "224.0.0.19"
        #expect(try plan(instance(), global: global).multicastGroup == IPAddress("224.0.0.19")!)
    }

    @Test func test_syncGroupMemberGetsGroupNotify() throws {
        let config = instance()
        let group = VRRPSyncGroupConfig(name: "G", members: ["VI_1"], notifyMaster: ScriptCommand(argv: ["/bin/true"]))
        let result = try VRRPEngine.plan(
            for: config, in: Configuration(vrrpInstances: [config], vrrpSyncGroups: [group]),
            settings: .init(priority: 250, state: .master))
        #expect(result.syncGroup == "G")
        #expect(result.notify.map(\.kind) == ["INSTANCE", "GROUP"])
    }

    @Test func test_syncGroupWithMembersOfDifferentPriorities_warnsEveryMember() throws {
        let vi1 = instance()
        let vi2 = instance { $0.name = "VI_2"; $0.virtualRouterID = 52; $0.priority = 100 }
        let vi3 = instance { $0.name = "VI_3"; $0.virtualRouterID = 53 }
        let configuration = Configuration(
            vrrpInstances: [vi1, vi2, vi3], vrrpSyncGroups: [VRRPSyncGroupConfig(name: "G", members: ["VI_1", "VI_2"])])
        let plans = try VRRPEngine.plans(for: configuration) { .init(priority: $0.priority ?? 250, state: .master) }
        let warning = "vrrp_sync_group G has members of different priorities (VI_1 250, VI_2 100): "
            + "if the peer ranks them otherwise the group flaps; give them one priority"
        #expect(plans[0].warnings == [warning])
        #expect(plans[1].warnings == [warning])
        #expect(plans[2].warnings.isEmpty, "VI_3 is in no group")
    }

    @Test func test_syncGroupWithOnePriority_warnsNobody() throws {
        let configuration = Configuration(
            vrrpInstances: [instance(), instance { $0.name = "VI_2"; $0.virtualRouterID = 52 }],
            vrrpSyncGroups: [VRRPSyncGroupConfig(name: "G", members: ["VI_1", "VI_2"])])
        let plans = try VRRPEngine.plans(for: configuration) { _ in .init(priority: 240, state: .backup) }
        #expect(plans.allSatisfy { $0.warnings.isEmpty })
    }
}

/// keepalived's `reverse` and script users.
@Suite struct VRRPEnginePlanReverseTests {
    let base = VRRPInstanceConfig(
        name: "VI_1", interface: "eth0", virtualRouterID: 51,
        virtualIPAddresses: [VirtualIPAddress(address: "198.18.0.100", prefixLength: 24)])

    func plan(_ instance: VRRPInstanceConfig, script: VRRPScriptConfig) throws(VRRPConfigurationErrors) -> InstancePlan {
        try VRRPEngine.plan(
            for: instance, in: Configuration(vrrpInstances: [instance], vrrpScripts: [script]),
            settings: .init(priority: 250, state: .master))
    }

    @Test func test_scriptWeightReverseIsKeptWhenTheReferenceSetsNoWeight() throws {
        var instance = base
        instance.trackScripts = [TrackReference(name: "chk")]
        let script = VRRPScriptConfig(name: "chk", command: ScriptCommand(argv: ["true"]), weight: 10, weightReverse: true)
        #expect(try plan(instance, script: script).scripts.first?.reverse == true)
    }

    @Test func test_referenceWeightWithoutReverseOverridesScriptReverse() throws {
        var instance = base
        instance.trackScripts = [TrackReference(name: "chk", weight: 5)]
        let script = VRRPScriptConfig(name: "chk", command: ScriptCommand(argv: ["true"]), weight: 10, weightReverse: true)
        #expect(try plan(instance, script: script).scripts.first?.reverse == false)
    }

    @Test func test_scriptUserIsRefusedNotIgnored() {
        var instance = base
        instance.trackScripts = [TrackReference(name: "chk")]
        let script = VRRPScriptConfig(name: "chk", command: ScriptCommand(argv: ["true"]), user: "nobody")
        #expect(throws: VRRPConfigurationErrors.self) { try plan(instance, script: script) }
    }
}

/// `vrrp_witness` resolved into the plan.
@Suite struct WitnessPlanTests {
    let witnessLine = SourceLocation(file: "hactl.conf", line: 11)

    func instance(peers: [String] = ["198.18.0.10", "198.18.0.11"], witness: String = "198.18.0.12") -> VRRPInstanceConfig {
        VRRPInstanceConfig(
            name: "VI_1", location: SourceLocation(file: "hactl.conf", line: 7), interface: "eth0", virtualRouterID: 51,
            advertInterval: .seconds(2), virtualIPAddresses: [VirtualIPAddress(address: "198.18.0.100", prefixLength: 24)],
            unicastPeers: peers, witness: VRRPWitnessConfig(address: witness, location: witnessLine))
    }

    func plan(_ config: VRRPInstanceConfig, peers: PeersConfig? = nil) throws(VRRPConfigurationErrors) -> InstancePlan {
        var configuration = Configuration(vrrpInstances: [config])
        configuration.peers = peers
        return try VRRPEngine.plan(for: config, in: configuration, settings: .init(priority: 250, state: .master))
    }

    @Test func test_intervalDefaultsToAdvertInt_peersFromUnicastPeer() throws {
        let witness = try #require(try plan(instance()).witness)
        #expect(witness.address == IPAddress("198.18.0.12"))
        #expect(witness.interval == .seconds(2))
        #expect(witness.peers == [IPAddress("198.18.0.10")!, IPAddress("198.18.0.11")!])
    }

    @Test func test_peersFromThePeersSection() throws {
        let peers = PeersConfig(
            name: "pair", peers: [.init(name: "n1", address: "198.18.0.10", port: 7000), .init(name: "n2", address: "198.18.0.11", port: 7000)])
        let witness = try #require(try plan(instance(peers: []), peers: peers).witness)
        #expect(witness.peers == [IPAddress("198.18.0.10")!, IPAddress("198.18.0.11")!])
    }

    @Test func test_withoutAnyPeerAddress_isRefusedAtTheWitnessLine() {
        do {
            _ = try plan(instance(peers: []))
            Issue.record("accepted a witness without the peer's address")
        } catch {
            #expect(error.description.hasPrefix("hactl.conf:11:"), "\(error)")
            #expect(error.description.contains("unicast_peer lines or a peers section"))
        }
    }
}
