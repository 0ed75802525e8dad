import Netlink
import Testing

/// RFC 5227 §3 gratuitous ARP and RFC 4861 §4.4 unsolicited NA bytes.
@Suite struct GratuitousAnnouncerTests {
    let mac: [UInt8] = [0x02, 0, 0, 0, 0, 0x11]

    @Test func test_gratuitousARP_isBroadcastRequestWithSenderAndTargetBothTheAddress() {
        let frame = GratuitousAnnouncer.arpFrame(for: IPAddress("198.18.0.100")!, mac: mac)
        #expect(frame.count == 42)
        #expect(Array(frame[0..<6]) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(frame[6..<12]) == mac)
        #expect(Array(frame[12..<14]) == [0x08, 0x06])
        #expect(Array(frame[20..<22]) == [0x00, 0x01])  // request
        #expect(Array(frame[22..<28]) == mac)
        #expect(Array(frame[28..<32]) == [198, 18, 0, 100])
        #expect(Array(frame[38..<42]) == [198, 18, 0, 100])
    }

    @Test func test_unsolicitedNA_setsOverrideAndCarriesTargetLinkLayerAddress() {
        let message = GratuitousAnnouncer.neighborAdvertisement(for: IPAddress("2001:db8::100")!, mac: mac)
        #expect(message[0] == 136)
        #expect(message[4] == 0x20)
        #expect(Array(message[8..<24]) == IPAddress("2001:db8::100")!.bytes)
        #expect(Array(message[24..<32]) == [2, 1] + mac)
    }
}
