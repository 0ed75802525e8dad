import HAConfig
import HACore
import Testing

@testable import VRRP

/// The witness probe's ICMP echo messages (RFC 792), and what a reload of `vrrp_witness` does.
@Suite struct WitnessProbeTests {
    @Test func test_echoRequest_typeCodeIdentifierSequence_andAValidChecksum() {
        let message = EchoProbeSocket.request(identifier: 0x1234, sequence: 0x0102)
        #expect(Array(message.prefix(2)) == [8, 0])
        #expect(Array(message[4..<8]) == [0x12, 0x34, 0x01, 0x02])
        // The one's-complement sum over a message with its checksum in place is zero (RFC 1071).
        #expect(InternetChecksum.checksum([message]) == 0)
    }

    /// An echo reply as a raw IPv4 socket delivers it: a 20-byte IPv4 header, then ICMP.
    func reply(type: UInt8 = 0, identifier: UInt16, sequence: UInt16) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 20)
        header[0] = 0x45
        header[9] = 1
        return header + [type, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
    }

    @Test func test_parseReply_returnsTheSequenceOfOurReplies() {
        #expect(EchoProbeSocket.parseReply(reply(identifier: 0x1234, sequence: 77), identifier: 0x1234) == 77)
    }

    @Test func test_parseReply_ignoresOtherIdentifiersRequestsAndShortDatagrams() {
        #expect(EchoProbeSocket.parseReply(reply(identifier: 0x4321, sequence: 77), identifier: 0x1234) == nil)
        #expect(EchoProbeSocket.parseReply(reply(type: 8, identifier: 0x1234, sequence: 77), identifier: 0x1234) == nil)
        #expect(EchoProbeSocket.parseReply(Array(reply(identifier: 0x1234, sequence: 77).prefix(24)), identifier: 0x1234) == nil)
    }

    @Test func test_reloadChangingTheWitness_restartsThatInstance() throws {
        func instance(_ witness: String) -> VRRPInstanceConfig {
            VRRPInstanceConfig(
                name: "VI_1", interface: "eth0", virtualRouterID: 51,
                virtualIPAddresses: [VirtualIPAddress(address: "198.18.0.100", prefixLength: 24)],
                unicastPeers: ["198.18.0.10", "198.18.0.11"], witness: VRRPWitnessConfig(address: witness))
        }
        func plans(_ config: VRRPInstanceConfig) throws -> [InstancePlan] {
            try VRRPEngine.plans(for: Configuration(vrrpInstances: [config])) { _ in .init(priority: 250, state: .backup) }
        }
        let changes = InstanceReloadChange.changes(from: try plans(instance("198.18.0.12")), to: try plans(instance("198.18.0.13")))
        guard case .restart(let reason) = changes.first?.verdict else {
            Issue.record("\(changes)")
            return
        }
        #expect(reason.contains("vrrp_witness"))
    }
}
