import Netlink
import Testing

@testable import VRRP

/// RFC 9568 §7.1 / RFC 3768 §7.1 receive checks: every failure is a named rejection.
@Suite struct AdvertisementValidatorTests {
    let peer = IPAddress("198.18.0.12")!
    let group = IPAddress("224.0.0.18")!
    let vip = IPAddress("198.18.0.100")!

    let v3Validator = AdvertisementValidator(version: .v3, virtualRouterID: 51, ipv4: true, intervalCentiseconds: 100)
    let v2Validator = AdvertisementValidator(
        version: .v2, virtualRouterID: 51, ipv4: true, authentication: .password("1215"), intervalCentiseconds: 100)

    func packet(_ advert: Advertisement, ttl: UInt8 = 255, source: IPAddress? = nil, destination: IPAddress? = nil)
        -> ReceivedPacket
    {
        let source = source ?? peer
        let destination = destination ?? group
        return ReceivedPacket(
            source: source, destination: destination, ttl: ttl,
            payload: AdvertisementCodec.encode(advert, source: source, destination: destination))
    }

    func v3(vrid: UInt8 = 51, priority: UInt8 = 100, interval: UInt16 = 100, addresses: [IPAddress]? = nil)
        -> Advertisement
    {
        Advertisement(
            version: .v3, virtualRouterID: vrid, priority: priority, intervalCentiseconds: interval,
            addresses: addresses ?? [vip])
    }

    func v2(password: String = "1215", interval: UInt16 = 100) -> Advertisement {
        Advertisement(
            version: .v2, virtualRouterID: 51, priority: 100, intervalCentiseconds: interval,
            authentication: .password(password), addresses: [vip])
    }

    @Test func test_rfc9568_7_1_validAdvertisementIsAccepted() {
        #expect(v3Validator.validate(packet(v3())) == .success(v3()))
    }

    @Test func test_rfc9568_7_1_ttlOtherThan255IsRejected() {
        #expect(v3Validator.validate(packet(v3(), ttl: 64)) == .failure(.ttl(64)))
    }

    // keepalived checks the TTL of multicast adverts only: unicast peers across a router interoperate.
    let me = IPAddress("198.18.0.11")!

    @Test func test_unicastAdvertWithTTLOtherThan255_isAcceptedLikeKeepalived() {
        #expect(v3Validator.validate(packet(v3(), ttl: 254, destination: me)) == .success(v3()))
        #expect(v2Validator.validate(packet(v2(), ttl: 1, destination: me)) == .success(v2()))
    }

    @Test func test_unicastAdvertWithTTLOtherThan255_isCountedAsAcceptedDespiteTTL() {
        #expect(AdvertisementValidator.acceptedDespiteTTL(packet(v3(), ttl: 254, destination: me)) == "unicast_ttl")
        #expect(AdvertisementValidator.acceptedDespiteTTL(packet(v3(), ttl: 255, destination: me)) == nil)
    }

    @Test func test_unicastAdvertWithAnyTTL_stillGetsEveryOtherCheck() {
        #expect(v3Validator.validate(packet(v3(vrid: 52), ttl: 254, destination: me)) == .failure(.virtualRouterID(52)))
        #expect(v2Validator.validate(packet(v2(password: "x"), ttl: 254, destination: me)) == .failure(.authenticationFailure))
    }

    @Test func test_ipv6UnicastAdvertWithHopLimitOtherThan255_isAccepted_butNotMulticast() {
        let validator = AdvertisementValidator(version: .v3, virtualRouterID: 51, ipv4: false, intervalCentiseconds: 100)
        let advert = v3(addresses: [IPAddress("fe80::100")!])
        let peer = IPAddress("fe80::12")!
        #expect(validator.validate(packet(advert, ttl: 64, source: peer, destination: IPAddress("fe80::11")!)) == .success(advert))
        #expect(
            validator.validate(packet(advert, ttl: 64, source: peer, destination: IPAddress("ff02::12")!)) == .failure(.ttl(64)))
    }

    @Test func test_rfc9568_7_1_otherVersionIsRejected() {
        #expect(v3Validator.validate(packet(v2())) == .failure(.version(2)))
    }

    @Test func test_rfc9568_7_1_otherVRIDIsRejected() {
        #expect(v3Validator.validate(packet(v3(vrid: 52))) == .failure(.virtualRouterID(52)))
    }

    @Test func test_rfc9568_7_1_zeroAddressCountIsRejected() {
        #expect(v3Validator.validate(packet(v3(addresses: []))) == .failure(.noVirtualAddresses))
    }

    @Test func test_rfc9568_7_1_zeroIntervalIsRejected() {
        #expect(v3Validator.validate(packet(v3(interval: 0))) == .failure(.zeroInterval))
    }

    @Test func test_rfc9568_7_1_v3AcceptsAnotherIntervalToLearnIt() {
        #expect(v3Validator.validate(packet(v3(interval: 25))) == .success(v3(interval: 25)))
    }

    @Test func test_rfc9568_7_1_ipv6SourceMustBeLinkLocal() {
        let validator = AdvertisementValidator(version: .v3, virtualRouterID: 51, ipv4: false, intervalCentiseconds: 100)
        let advert = v3(addresses: [IPAddress("2001:db8::100")!])
        let global = IPAddress("2001:db8::12")!
        #expect(
            validator.validate(packet(advert, source: global, destination: IPAddress("ff02::12")!))
                == .failure(.sourceNotLinkLocal(global)))
        #expect(
            validator.validate(packet(advert, source: IPAddress("fe80::12")!, destination: IPAddress("ff02::12")!))
                == .success(advert))
    }

    @Test func test_rfc3768_7_1_v2WrongPasswordIsRejected() {
        #expect(v2Validator.validate(packet(v2(password: "wrong"))) == .failure(.authenticationFailure))
    }

    @Test func test_rfc3768_7_1_v2MissingAuthenticationIsRejected() {
        var advert = v2()
        advert.authentication = .none
        #expect(v2Validator.validate(packet(advert)) == .failure(.authenticationType(0)))
    }

    @Test func test_rfc3768_7_1_v2IntervalMismatchIsRejected() {
        #expect(
            v2Validator.validate(packet(v2(interval: 200)))
                == .failure(.intervalMismatch(received: 200, configured: 100)))
    }

    @Test func test_rfc3768_7_1_v2RightPasswordIsAccepted() {
        #expect(v2Validator.validate(packet(v2())) == .success(v2()))
    }

    @Test func test_ipv6PacketOnIPv4InstanceIsRejected() {
        let advert = v3(addresses: [IPAddress("2001:db8::100")!])
        #expect(
            v3Validator.validate(packet(advert, source: IPAddress("fe80::12")!, destination: IPAddress("ff02::12")!))
                == .failure(.addressFamily))
    }
}
