import HACore
import Foundation
import Testing

@testable import PeerLink

/// STICK frames: batches of stick-table entries cut to fit a frame, authenticated like every
/// other frame after READY.
@Suite struct StickSyncTests {
    static func entries(_ count: Int, keyLength: Int = 12) -> [StickRecord] {
        (0..<count).map { i in
            StickRecord(table: "web", key: String(repeating: "k", count: keyLength) + "\(i)", server: "s\(i % 3)",
                             stamp: 1_700_000_000_000 + Int64(i), expiresIn: i % 2 == 0 ? 60_000 : nil)
        }
    }

    @Test func test_largeBatch_isCutIntoFramesThatFit_andLosesNothing() {
        let sent = Self.entries(5_000)
        let payloads = StickBatch.payloads(sent)
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.count + 1 + 8 + 32 <= PeerSession.maximumFrameLength })
        #expect(payloads.flatMap { StickBatch.decode($0)?.entries ?? [] } == sent)
    }

    @Test func test_anEntryTooLargeForAFrame_isDropped_aloneAmongItsBatch() {
        let huge = StickRecord(table: "web", key: String(repeating: "x", count: 70_000), server: "s1", stamp: 1, expiresIn: nil)
        let small = Self.entries(3)
        let decoded = StickBatch.payloads(small + [huge]).flatMap { StickBatch.decode($0)?.entries ?? [] }
        #expect(decoded == small)
    }

    @Test func test_stickFrame_beforeReady_isRefused_andAfterReady_opens() throws {
        var a = PeerSession(key: PeerSessionTests.key, localName: "n1", acceptedNames: ["n2"], nonce: Array(repeating: 1, count: 16))
        var b = PeerSession(key: PeerSessionTests.key, localName: "n2", acceptedNames: ["n1"], nonce: Array(repeating: 2, count: 16))
        _ = try a.open(PeerSessionTests.body(b.hello()))
        _ = try b.open(PeerSessionTests.body(a.hello()))
        let payload = try #require(StickBatch.payloads(Self.entries(2)).first)
        #expect(throws: PeerSession.Refusal.unexpected("stick before READY")) { try b.open(PeerSessionTests.body(a.seal(.stick, payload: payload))) }

        let (c, d) = try PeerSessionTests.pair()
        var sender = c, receiver = d
        let frame = try receiver.open(PeerSessionTests.body(sender.seal(.stick, payload: payload)))
        #expect(frame.type == .stick)
        #expect(StickBatch.decode(frame.payload)?.entries == Self.entries(2))
    }

    /// A restarted proxy asks for the peer's entries in a STICK frame of its own: `resync`
    /// true, no entries. A peer built before the key decodes it as an empty batch (no refusal,
    /// the link stays up), and a batch without the key is no request.
    @Test func test_resyncRequest_isAStickBatchAskingForEverything_thatAnOlderPeerReadsAsEmpty() throws {
        let request = StickBatch.resyncRequest()
        let batch = try #require(StickBatch.decode(request))
        #expect(batch.resync == true)
        #expect(batch.entries.isEmpty)

        struct OlderBatch: Decodable { var entries: [StickRecord] }
        let older = try JSONDecoder().decode(OlderBatch.self, from: Data(request))
        #expect(older.entries.isEmpty)

        let plain = try #require(StickBatch.payloads(Self.entries(2)).first)
        #expect(StickBatch.decode(plain)?.resync == nil)
        #expect(StickBatch.decode(Array(#"{"entries":[]}"#.utf8))?.resync == nil)

        let (c, d) = try PeerSessionTests.pair()
        var sender = c, receiver = d
        let frame = try receiver.open(PeerSessionTests.body(sender.seal(.stick, payload: request)))
        #expect(frame.type == .stick)
        #expect(StickBatch.decode(frame.payload)?.resync == true)
    }
}
