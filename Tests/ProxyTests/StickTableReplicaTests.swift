import NIOCore
import Testing
@testable import Proxy

/// HAProxy §4.2 `stick-table`: one loop's copy as a pure value, driven with explicit times.
@Suite struct StickTableReplicaTests {
    private func table(size: Int = 10, expire: Int64? = 1000, nopurge: Bool = false) -> StickTableReplica {
        StickTableReplica(plan: StickTablePlan(name: "web", type: .ip, size: size, expireMilliseconds: expire, nopurge: nopurge))
    }

    private func ip(_ last: UInt32) -> StickKey { .ipv4(0xC612_0000 | last) }

    @Test func test_storedEntry_matchesUntilItsExpiry() {
        var t = table(expire: 1000)
        _ = t.store(ip(1), server: "s1", now: 0)
        #expect(t.match(ip(1), now: 999)?.server == "s1")
        #expect(t.match(ip(1), now: 999 + 1000) == nil, "a match refreshed the entry until 1999; it is gone at 1999")
        #expect(t.count == 0)
    }

    @Test func test_match_refreshesTheExpiry_asHAProxy() {
        var t = table(expire: 1000)
        _ = t.store(ip(1), server: "s1", now: 0)
        _ = t.match(ip(1), now: 800)
        #expect(t.match(ip(1), now: 1500)?.server == "s1", "created at 0, matched at 800: alive until 1800")
    }

    @Test func test_withoutExpire_entriesStay() {
        var t = table(expire: nil)
        _ = t.store(ip(1), server: "s1", now: 0)
        t.purgeExpired(now: 10_000_000)
        #expect(t.match(ip(1), now: 10_000_000)?.server == "s1")
    }

    @Test func test_fullTable_purgesTheOldestToMakeRoom() {
        var t = table(size: 3, expire: nil)
        for i in 1...3 { _ = t.store(ip(UInt32(i)), server: "s\(i)", now: Int64(i)) }
        _ = t.match(ip(1), now: 4)  // no expire: a match does not reorder
        _ = t.store(ip(2), server: "s1", now: 5)  // rewritten: now the newest
        _ = t.store(ip(4), server: "s4", now: 6)
        #expect(t.count == 3)
        #expect(t.match(ip(1), now: 7) == nil, "ip 1 was the oldest write")
        #expect(t.match(ip(2), now: 7)?.server == "s1")
        #expect(t.match(ip(3), now: 7)?.server == "s3")
        #expect(t.match(ip(4), now: 7)?.server == "s4")
    }

    @Test func test_fullTable_withExpire_evictsTheLeastRecentlyUsed() {
        var t = table(size: 2, expire: 10_000)
        _ = t.store(ip(1), server: "s1", now: 0)
        _ = t.store(ip(2), server: "s2", now: 1)
        _ = t.match(ip(1), now: 2)  // used again: ip 2 is now the oldest
        _ = t.store(ip(3), server: "s3", now: 3)
        #expect(t.match(ip(2), now: 4) == nil)
        #expect(t.match(ip(1), now: 4)?.server == "s1")
    }

    @Test func test_fullTable_expiredEntriesGoBeforeLiveOnes() {
        var t = table(size: 2, expire: 100)
        _ = t.store(ip(1), server: "s1", now: 0)
        _ = t.store(ip(2), server: "s2", now: 50)
        _ = t.store(ip(3), server: "s3", now: 120)  // ip 1 expired at 100
        #expect(t.match(ip(2), now: 121)?.server == "s2")
        #expect(t.match(ip(3), now: 121)?.server == "s3")
    }

    @Test func test_nopurge_refusesNewKeysWhenFull() {
        var t = table(size: 1, expire: nil, nopurge: true)
        let first = t.store(ip(1), server: "s1", now: 0)
        let second = t.store(ip(2), server: "s2", now: 1)
        let rewritten = t.store(ip(1), server: "s2", now: 2)
        #expect(first != nil)
        #expect(second == nil)
        #expect(rewritten?.server == "s2", "an existing key is still updated")
        #expect(t.match(ip(2), now: 3) == nil)
    }

    @Test func test_merge_keepsTheLatestWriteWhateverTheOrder() {
        var a = table(), b = table()
        a.merge(ip(1), server: "s1", stamp: 10, expiresAt: 5000, now: 0)
        a.merge(ip(1), server: "s2", stamp: 20, expiresAt: 5000, now: 0)
        b.merge(ip(1), server: "s2", stamp: 20, expiresAt: 5000, now: 0)
        b.merge(ip(1), server: "s1", stamp: 10, expiresAt: 5000, now: 0)
        #expect(a.match(ip(1), now: 1)?.server == "s2")
        #expect(b.match(ip(1), now: 1)?.server == "s2")
    }

    @Test func test_merge_equalStamps_breakTiesByServerName() {
        var a = table()
        a.merge(ip(1), server: "s2", stamp: 10, expiresAt: nil, now: 0)
        let adopted = a.merge(ip(1), server: "s1", stamp: 10, expiresAt: nil, now: 0)
        #expect(!adopted)
        #expect(a.match(ip(1), now: 1)?.server == "s2")
    }

    @Test func test_merge_ofAnExpiredEntry_isIgnored() {
        var t = table()
        let adopted = t.merge(ip(1), server: "s1", stamp: 10, expiresAt: 100, now: 100)
        #expect(!adopted)
        #expect(t.count == 0)
    }

    @Test func test_localStore_afterSeeingANewerStamp_stillWins() {
        var t = table()
        t.merge(ip(1), server: "s1", stamp: 500, expiresAt: 5000, now: 0)  // a peer whose clock runs ahead
        let written = t.store(ip(1), server: "s2", now: 100)
        #expect(written?.stamp == 501)
        #expect(t.match(ip(1), now: 101)?.server == "s2")
    }

    @Test func test_needsRefresh_afterHalfTheLife() {
        var t = table(expire: 1000)
        let entry = t.store(ip(1), server: "s1", now: 0)!
        #expect(!t.needsRefresh(entry, now: 499))
        #expect(t.needsRefresh(entry, now: 500))
    }

    @Test func test_manyRewrites_keepTheOrderRingBounded() {
        var t = table(size: 4, expire: 1_000_000)
        for round in 0..<10_000 { _ = t.match(ip(UInt32(round % 4)), now: Int64(round)) ?? t.store(ip(UInt32(round % 4)), server: "s", now: Int64(round)) }
        #expect(t.count == 4)
        #expect(t.live(now: 10_000).count == 4)
    }
}

/// `stick-table type`: how a sample becomes a key, as HAProxy converts it.
@Suite struct StickKeyTests {
    private func plan(_ type: StickTablePlan.KeyType, length: Int? = nil) -> StickTablePlan {
        StickTablePlan(name: "t", type: type, length: length, size: 1)
    }

    @Test func test_ipTable_takesIPv4_andIPv4MappedIPv6_only() throws {
        let v4 = try SocketAddress(ipAddress: "198.18.0.7", port: 1)
        let mapped = try SocketAddress(ipAddress: "::ffff:198.18.0.7", port: 1)
        let v6 = try SocketAddress(ipAddress: "2001:db8::1", port: 1)
        #expect(StickKey(.address(v4), plan: plan(.ip))?.description == "198.18.0.7")
        #expect(StickKey(.address(mapped), plan: plan(.ip)) == StickKey(.address(v4), plan: plan(.ip)))
        #expect(StickKey(.address(v6), plan: plan(.ip)) == nil)
    }

    @Test func test_ipv6Table_mapsIPv4() throws {
        let v4 = try SocketAddress(ipAddress: "198.18.0.7", port: 1)
        #expect(StickKey(.address(v4), plan: plan(.ipv6))?.description == "::ffff:198.18.0.7")
        #expect(StickKey(text: "2001:db8::1", type: .ipv6)?.description == "2001:db8::1")
    }

    @Test func test_stringTable_cutsAtLen() {
        #expect(StickKey(.text("abcdefgh"), plan: plan(.string, length: 4)) == .string("abcd"))
    }

    @Test func test_integerTable_refusesText() {
        #expect(StickKey(.text("42"), plan: plan(.integer)) == .integer(42))
        #expect(StickKey(.text("abc"), plan: plan(.integer)) == nil)
        #expect(StickKey(.absent, plan: plan(.string)) == nil)
    }

    @Test(arguments: ["198.18.0.1", "0.0.0.0", "255.255.255.255"])
    func test_textForm_parsesBack(_ text: String) {
        #expect(StickKey(text: text, type: .ip)?.description == text)
    }
}
