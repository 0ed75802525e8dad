import NIOCore
import Foundation
import Testing
import TLS

@testable import PeerLink

/// Framing, authentication and replay protection of the peer channel, without a socket.
@Suite struct PeerSessionTests {
    static let key = Array("0123456789abcdef-shared-secret".utf8)

    /// Two sessions that have exchanged HELLOs and READYs, as on a good connection.
    static func pair(keyB: [UInt8] = key) throws -> (PeerSession, PeerSession) {
        var a = PeerSession(key: key, localName: "n1", acceptedNames: ["n2"], nonce: Array(repeating: 1, count: 16))
        var b = PeerSession(key: keyB, localName: "n2", acceptedNames: ["n1"], nonce: Array(repeating: 2, count: 16))
        _ = try a.open(body(b.hello()))
        _ = try b.open(body(a.hello()))
        _ = try b.open(body(a.seal(.ready)))
        _ = try a.open(body(b.seal(.ready)))
        return (a, b)
    }

    static func body(_ frame: [UInt8]) -> [UInt8] { Array(frame.dropFirst(4)) }

    @Test func test_framesBetweenSessionsWithTheSameKey_verifyAndAuthenticateBothSides() throws {
        var (a, b) = try Self.pair()
        #expect(a.authenticated && b.authenticated)
        #expect(a.peerName == "n2")
        let frame = try b.open(Self.body(a.seal(.health, payload: Array("hi".utf8))))
        #expect(frame == PeerSession.Frame(type: .health, payload: Array("hi".utf8)))
    }

    @Test func test_lengthPrefix_countsTheBytesAfterIt() {
        let session = PeerSession(key: Self.key, localName: "n1", acceptedNames: ["n2"])
        let hello = session.hello()
        let length = hello.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        #expect(length == hello.count - 4)
    }

    @Test func test_helloUnderAnotherKey_isRefusedAsAuthenticationFailure() {
        var a = PeerSession(key: Self.key, localName: "n1", acceptedNames: ["n2"])
        let b = PeerSession(key: Array("another-key-of-16-bytes".utf8), localName: "n2", acceptedNames: ["n1"])
        #expect(throws: PeerSession.Refusal.authenticationFailed) { try a.open(Self.body(b.hello())) }
    }

    @Test func test_frameReplayedWithinTheConnection_isRefused() throws {
        var (a, b) = try Self.pair()
        let frame = Self.body(a.seal(.health, payload: [1]))
        _ = try b.open(frame)
        #expect(throws: PeerSession.Refusal.replayed(expected: 3, got: 2)) { try b.open(frame) }
    }

    @Test func test_frameFromAnEarlierConnection_failsTheTag() throws {
        var (a, _) = try Self.pair()
        let old = Self.body(a.seal(.health, payload: [1]))
        // A new connection: same key and names, fresh nonce on the receiving side.
        let a2 = PeerSession(key: Self.key, localName: "n1", acceptedNames: ["n2"], nonce: Array(repeating: 1, count: 16))
        var b2 = PeerSession(key: Self.key, localName: "n2", acceptedNames: ["n1"], nonce: Array(repeating: 3, count: 16))
        _ = try b2.open(Self.body(a2.hello()))
        #expect(throws: PeerSession.Refusal.authenticationFailed) { try b2.open(old) }
    }

    @Test func test_frameReflectedToItsSender_failsTheTag() throws {
        var (a, _) = try Self.pair()
        let mine = Self.body(a.seal(.health, payload: [1]))
        #expect(throws: PeerSession.Refusal.authenticationFailed) { try a.open(mine) }
    }

    @Test func test_tamperedPayload_failsTheTag() throws {
        var (a, b) = try Self.pair()
        var frame = Self.body(a.seal(.health, payload: [1, 2, 3]))
        frame[10] ^= 0xff
        #expect(throws: PeerSession.Refusal.authenticationFailed) { try b.open(frame) }
    }

    @Test func test_healthBeforeReady_isRefused() throws {
        var a = PeerSession(key: Self.key, localName: "n1", acceptedNames: ["n2"])
        var b = PeerSession(key: Self.key, localName: "n2", acceptedNames: ["n1"])
        _ = try a.open(Self.body(b.hello()))
        _ = try b.open(Self.body(a.hello()))
        #expect(throws: PeerSession.Refusal.unexpected("health before READY")) { try b.open(Self.body(a.seal(.health))) }
    }

    @Test func test_helloWithANameNotInThePeersSection_isRefused() {
        var a = PeerSession(key: Self.key, localName: "n1", acceptedNames: ["n2"])
        let c = PeerSession(key: Self.key, localName: "n3", acceptedNames: ["n1"])
        #expect(throws: PeerSession.Refusal.unknownPeer("n3")) { try a.open(Self.body(c.hello())) }
    }

    @Test func test_hmacSHA256_matchesRFC4231TestCase2() {
        let tag = MessageAuthentication.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
        let hex = tag.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
