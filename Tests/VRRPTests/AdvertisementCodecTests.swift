import Netlink
import Testing

@testable import VRRP

/// RFC 9568 §5 and RFC 3768 §5: the wire format. Golden checksums computed independently
/// (Python, RFC 1071 sum) for the exact bytes below.
@Suite struct AdvertisementCodecTests {
    let master = IPAddress("198.18.0.11")!
    let group = IPAddress("224.0.0.18")!
    let vip = IPAddress("198.18.0.100")!

    var v3: Advertisement {
        Advertisement(version: .v3, virtualRouterID: 51, priority: 250, intervalCentiseconds: 100, addresses: [vip])
    }

    @Test func test_rfc9568_5_1_v3IPv4_encodesVersionTypeVRIDPriorityCountIntervalAndAddress() {
        let bytes = AdvertisementCodec.encode(v3, source: master, destination: group)
        #expect(bytes.count == 12)
        #expect(bytes[0] == 0x31)
        #expect(bytes[1] == 51)
        #expect(bytes[2] == 250)
        #expect(bytes[3] == 1)
        #expect(bytes[4] == 0 && bytes[5] == 100)
        #expect(Array(bytes[8...]) == [198, 18, 0, 100])
    }

    @Test func test_rfc9568_5_2_8_v3IPv4_checksumCoversPseudoHeaderByDefault_likeKeepalived() {
        let bytes = AdvertisementCodec.encode(v3, source: master, destination: group)
        #expect(bytes[6] == 0x67 && bytes[7] == 0x43)
    }

    @Test func test_v3ChecksumAsV2_v3IPv4_checksumCoversVRRPMessageOnly() {
        let bytes = AdvertisementCodec.encode(v3, source: master, destination: group, ipv4ChecksumStyle: .vrrpMessageOnly)
        #expect(bytes[6] == 0x0D && bytes[7] == 0xF0)
    }

    @Test(arguments: [IPv4ChecksumStyle.pseudoHeader, .vrrpMessageOnly])
    func test_rfc9568_7_1_v3IPv4_decodeAcceptsEitherChecksumForm(style: IPv4ChecksumStyle) throws {
        let bytes = AdvertisementCodec.encode(v3, source: master, destination: group, ipv4ChecksumStyle: style)
        let decoded = try AdvertisementCodec.decode(bytes, source: master, destination: group).get()
        #expect(decoded == v3)
    }

    @Test func test_rfc9568_5_2_8_v3IPv6_roundTripsWithPseudoHeader() throws {
        let source = IPAddress("fe80::1")!
        let destination = IPAddress("ff02::12")!
        let advert = Advertisement(
            version: .v3, virtualRouterID: 7, priority: 100, intervalCentiseconds: 10,
            addresses: [IPAddress("2001:db8::100")!, IPAddress("fe80::100")!])
        let bytes = AdvertisementCodec.encode(advert, source: source, destination: destination)
        #expect(bytes.count == 8 + 32)
        #expect(try AdvertisementCodec.decode(bytes, source: source, destination: destination).get() == advert)
        // The pseudo-header is part of the sum: another destination no longer verifies.
        let other = AdvertisementCodec.decode(bytes, source: source, destination: IPAddress("ff02::1")!)
        #expect(other == .failure(.badChecksum))
    }

    @Test func test_rfc3768_5_1_v2_encodesAuthTypeIntervalSecondsPasswordAndChecksumWithoutPseudoHeader() throws {
        let advert = Advertisement(
            version: .v2, virtualRouterID: 51, priority: 240, intervalCentiseconds: 100,
            authentication: .password("secret"), addresses: [vip])
        let bytes = AdvertisementCodec.encode(advert, source: master, destination: group)
        #expect(
            bytes == [0x21, 51, 240, 1, 1, 1, 0xEB, 0x06, 198, 18, 0, 100]
                + Array("secret".utf8) + [0, 0])
        #expect(try AdvertisementCodec.decode(bytes, source: master, destination: group).get() == advert)
    }

    @Test func test_rfc3768_5_3_6_passwordLongerThanEightBytesIsCutLikeKeepalived() {
        #expect(AdvertisementAuthentication.password("0123456789").data == Array("01234567".utf8))
    }

    @Test func test_decode_rejectsMessageShorterThanHeader() {
        #expect(AdvertisementCodec.decode([0x31, 1, 2], source: master, destination: group) == .failure(.truncated(length: 3)))
    }

    @Test func test_decode_rejectsTypeOtherThanAdvertisement() {
        var bytes = AdvertisementCodec.encode(v3, source: master, destination: group)
        bytes[0] = 0x32
        #expect(AdvertisementCodec.decode(bytes, source: master, destination: group) == .failure(.type(2)))
    }

    @Test func test_decode_rejectsMessageShorterThanItsAddressCount() {
        var bytes = AdvertisementCodec.encode(v3, source: master, destination: group)
        bytes[3] = 2
        #expect(
            AdvertisementCodec.decode(bytes, source: master, destination: group)
                == .failure(.length(expected: 16, actual: 12)))
    }

    @Test func test_decode_rejectsCorruptedChecksum() {
        var bytes = AdvertisementCodec.encode(v3, source: master, destination: group)
        bytes[2] = 251
        #expect(AdvertisementCodec.decode(bytes, source: master, destination: group) == .failure(.badChecksum))
    }

    @Test func test_receivedPacket_parsesIPv4HeaderTTLSourceDestinationAndPayload() throws {
        let payload = AdvertisementCodec.encode(v3, source: master, destination: group)
        let header: [UInt8] = [0x45, 0, 0, UInt8(20 + payload.count), 0, 0, 0, 0, 255, 112, 0, 0]
            + master.bytes + group.bytes
        let packet = try ReceivedPacket.parsingIPv4(header + payload).get()
        #expect(packet.ttl == 255)
        #expect(packet.source == master)
        #expect(packet.destination == group)
        #expect(packet.payload == payload)
    }
}
