import HACore
@testable import HAConfig
import Testing

/// hactl's `vrrp_witness ADDR [interval D] [fall N] [rise N]` in a vrrp_instance.
@Suite struct WitnessKeywordTests {
    func instance(_ line: String) throws -> VRRPInstanceConfig {
        let text = """
            vrrp_instance VI_1
                interface eth0
                virtual_router_id 51
                virtual_ipaddress 198.18.0.100/24
                \(line)
            """
        return try ConfigurationLoader.parse(text: text, file: "t.conf").vrrpInstances[0]
    }

    @Test func test_addressAlone_takesTheDefaults() throws {
        let witness = try #require(try instance("vrrp_witness 198.18.0.12").witness)
        #expect(witness.address == "198.18.0.12")
        #expect(witness.interval == nil)
        #expect(witness.fall == 3)
        #expect(witness.rise == 1)
        #expect(witness.location.line == 5)
    }

    @Test func test_options() throws {
        let witness = try #require(try instance("vrrp_witness 198.18.0.12 interval 500ms fall 4 rise 2").witness)
        #expect(witness.interval == .milliseconds(500))
        #expect(witness.fall == 4)
        #expect(witness.rise == 2)
    }

    @Test(arguments: [
        ("vrrp_witness", "expected the witness's IPv4 address"),
        ("vrrp_witness witness.example", "expected an IPv4 address"),
        ("vrrp_witness 2001:db8::1", "IPv6 witness is not supported"),
        ("vrrp_witness 198.18.0.12 fal 2", "expected interval, fall or rise"),
        ("vrrp_witness 198.18.0.12 fall 0", "from 1 to 100"),
        ("vrrp_witness 198.18.0.12 interval 1ms", "at least 10ms"),
    ])
    func test_refusedWithTheLine(line: String, message: String) {
        let found = errors(of: """
            vrrp_instance VI_1
                interface eth0
                virtual_router_id 51
                virtual_ipaddress 198.18.0.100/24
                \(line)
            """)
        #expect(found.count == 1)
        #expect(found.first?.location.line == 5)
        #expect(found.first.map { "\($0)".contains(message) } == true, "\(found)")
    }
}
