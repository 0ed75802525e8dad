import Appliance
import HACore
import HAConfig
import Testing

@Suite struct RolePrecedenceTests {
    func instance(priority: Int? = nil, state: VRRPInitialState? = nil) -> Configuration {
        Configuration(vrrpInstances: [
            VRRPInstanceConfig(
                name: "VI_1", location: SourceLocation(file: "hactl.conf", line: 7), interface: "eth0",
                initialState: state, virtualRouterID: 51, priority: priority
            )
        ])
    }

    @Test(arguments: [(Role.master, 250, VRRPInitialState.master), (.backup, 240, .backup)])
    func test_roleAlone_givesRoleDefaults_withoutOverrides(role: Role, priority: Int, state: VRRPInitialState) {
        let (resolved, overrides) = RolePrecedence(role: role).apply(to: instance())
        #expect(resolved.vrrpInstances[0].priority == priority)
        #expect(resolved.vrrpInstances[0].initialState == state)
        #expect(overrides.isEmpty)
    }

    @Test func test_filePriority_beatsRoleDefault_andIsReportedOnce() {
        let (resolved, overrides) = RolePrecedence(role: .backup).apply(to: instance(priority: 100))
        #expect(resolved.vrrpInstances[0].priority == 100)
        #expect(overrides.count == 1)
        #expect(overrides[0].setting == .priority)
        #expect(overrides[0].description == "VI_1: priority 100 from vrrp_instance VI_1 at hactl.conf:7:1 overrides role backup's default 240")
    }

    @Test func test_commandLinePriority_beatsFilePriority() {
        let (resolved, overrides) = RolePrecedence(role: .master, commandLinePriority: 200).apply(to: instance(priority: 100))
        #expect(resolved.vrrpInstances[0].priority == 200)
        #expect(overrides.map(\.source) == [.commandLine])
        #expect(overrides[0].replaces == "priority 100 at vrrp_instance VI_1 at hactl.conf:7:1")
    }

    @Test func test_commandLinePriority_beatsRoleDefault() {
        let (resolved, overrides) = RolePrecedence(role: .backup, commandLinePriority: 245).apply(to: instance())
        #expect(resolved.vrrpInstances[0].priority == 245)
        #expect(overrides.count == 1)
    }

    @Test func test_fileState_beatsRoleState() {
        let (resolved, overrides) = RolePrecedence(role: .backup).apply(to: instance(state: .master))
        #expect(resolved.vrrpInstances[0].initialState == .master)
        #expect(resolved.vrrpInstances[0].priority == 240)
        #expect(overrides.map(\.setting) == [.state])
    }

    @Test func test_fileValuesEqualToRoleDefaults_areNotReportedAsOverrides() {
        let (_, overrides) = RolePrecedence(role: .master).apply(to: instance(priority: 250, state: .master))
        #expect(overrides.isEmpty)
    }
}
