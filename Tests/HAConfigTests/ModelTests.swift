import HACore
import HAConfig
import Testing

@Suite struct ModelTests {
    @Test func test_summary_countsFrontendsBackendsServersAndInstances() {
        let configuration = Configuration(
            frontends: [Frontend(name: "main")],
            backends: [
                Backend(name: "web", servers: [Server(name: "a", host: "198.18.0.1", port: 80), Server(name: "b", host: "198.18.0.2", port: 80)]),
                Backend(name: "api", servers: [Server(name: "c", host: "198.18.0.3", port: 8080)]),
            ],
            vrrpInstances: [VRRPInstanceConfig(name: "VI_1", interface: "eth0", virtualRouterID: 51)]
        )
        #expect(configuration.summary == "1 frontends, 2 backends, 3 servers, 1 VRRP instances")
    }

    @Test func test_lookups_findBackendAndScriptByName() {
        let script = VRRPScriptConfig(name: "chk", command: ScriptCommand(parsing: "killall -0 haproxy"))
        let configuration = Configuration(backends: [Backend(name: "web")], vrrpScripts: [script])
        #expect(configuration.backend(named: "web")?.name == "web")
        #expect(configuration.backend(named: "nope") == nil)
        #expect(configuration.vrrpScript(named: "chk")?.command.argv == ["killall", "-0", "haproxy"])
    }

    @Test func test_defaults_matchHAProxyAndKeepalived() {
        let server = Server(name: "s", host: "198.18.0.1", port: 80)
        #expect(server.weight == 1 && server.rise == 2 && server.fall == 3 && server.inter == .seconds(2))
        let backend = Backend(name: "b")
        #expect(backend.retries == 3 && backend.httpReuse == .safe && backend.balance == .roundRobin)
        let instance = VRRPInstanceConfig(name: "VI", interface: "eth0", virtualRouterID: 1)
        #expect(instance.trackProxy && instance.advertInterval == .seconds(1) && instance.garpMasterDelay == .seconds(5))
        #expect(VirtualIPAddress(address: "198.18.0.10").prefixLength == 32)
        #expect(VirtualIPAddress(address: "2001:db8::1").prefixLength == 128)
    }

    @Test func test_scriptCommand_splitsQuotedWordsLikeKeepalived() {
        #expect(ScriptCommand(parsing: "/bin/notify.sh 'two words' \"x y\" z").argv == ["/bin/notify.sh", "two words", "x y", "z"])
        #expect(ScriptCommand(argv: ["/bin/a", "b c"]).description == "/bin/a 'b c'")
    }

    @Test func test_withoutLocations_equatesConfigurationsThatDifferOnlyInLineNumbers() throws {
        let text = try Fixture.text("config-example.hactl.conf")
        let original = try ConfigurationLoader.parse(text: text, file: "a.conf")
        let shifted = try ConfigurationLoader.parse(text: "\n\n# moved down\n" + text, file: "b.conf")
        #expect(original != shifted)
        #expect(original.withoutLocations() == shifted.withoutLocations())
        let changed = try ConfigurationLoader.parse(text: text.replacing("weight -20", with: "weight -30"), file: "a.conf")
        #expect(original.withoutLocations() != changed.withoutLocations())
    }
}
