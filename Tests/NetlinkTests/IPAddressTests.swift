import Netlink
import Testing

@Suite struct IPAddressTests {
    @Test func test_parsesAndPrintsIPv4() {
        #expect(IPAddress("198.18.0.1") == .v4(0xC612_0001))
        #expect(IPAddress("198.18.0.1")?.description == "198.18.0.1")
    }

    @Test func test_parsesAndPrintsIPv6() {
        let address = IPAddress("fe80::12")
        #expect(address?.bytes == [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [0x12])
        #expect(address?.description == "fe80::12")
        #expect(address?.isIPv6LinkLocal == true)
        #expect(IPAddress("2001:db8::1")?.isIPv6LinkLocal == false)
    }

    @Test func test_rejectsGarbage() {
        #expect(IPAddress("198.18.0") == nil)
        #expect(IPAddress("hello") == nil)
    }

    @Test func test_rfc9568_6_4_3_ordersAsUnsignedIntegersInNetworkOrder() {
        #expect(IPAddress("198.18.0.12")! > IPAddress("198.18.0.11")!)
        #expect(IPAddress("198.18.1.0")! > IPAddress("198.18.0.255")!)
        #expect(IPAddress("fe80::2")! > IPAddress("fe80::1")!)
    }
}

@Suite struct InterfaceAddressTests {
    @Test func test_brdPlusIsTheDirectedBroadcastOfThePrefix() {
        #expect(InterfaceAddress.broadcast(of: IPAddress("198.18.0.100")!, prefixLength: 24) == IPAddress("198.18.0.255"))
        #expect(InterfaceAddress.broadcast(of: IPAddress("198.18.0.100")!, prefixLength: 32) == IPAddress("198.18.0.100"))
        #expect(InterfaceAddress.broadcast(of: IPAddress("198.18.0.100")!, prefixLength: 15) == IPAddress("198.19.255.255"))
    }

    @Test func test_scopeNamesAreIproute2s() {
        #expect(InterfaceAddress.scope(named: "global") == 0)
        #expect(InterfaceAddress.scope(named: "link") == 253)
        #expect(InterfaceAddress.scope(named: "host") == 254)
        #expect(InterfaceAddress.scope(named: "galaxy") == nil)
    }
}
