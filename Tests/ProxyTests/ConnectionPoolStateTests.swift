import NIOCore
import Testing
@testable import Proxy

/// `http-reuse safe` pool bookkeeping on a virtual clock.
@Suite struct ConnectionPoolStateTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func test_parkedConnection_isReusedForSameServer() {
        var pool = ConnectionPoolState(servers: 2)
        #expect(pool.release(7, server: 1, reusable: true, now: t0) == .park)
        #expect(pool.acquire(server: 0, allowReuse: true, now: t0) == .connect)
        #expect(pool.acquire(server: 1, allowReuse: true, now: t0) == .reuse(7))
        #expect(pool.acquire(server: 1, allowReuse: true, now: t0) == .connect)
    }

    @Test func test_incompleteResponse_connectionIsClosedNotParked() {
        var pool = ConnectionPoolState(servers: 1)
        #expect(pool.release(3, server: 0, reusable: false, now: t0) == .close(3))
        #expect(pool.idleCount(server: 0) == 0)
    }

    @Test func test_nonIdempotentFirstRequest_neverReusesIdleConnection() {
        var pool = ConnectionPoolState(servers: 1)
        _ = pool.release(3, server: 0, reusable: true, now: t0)
        #expect(pool.acquire(server: 0, allowReuse: false, now: t0) == .connect)
        #expect(pool.idleCount(server: 0) == 1)
    }

    @Test func test_idleConnection_expiresAfterIdleTimeout() {
        var pool = ConnectionPoolState(servers: 1, idleTimeout: .seconds(10))
        _ = pool.release(3, server: 0, reusable: true, now: t0)
        #expect(pool.expire(now: t0 + .seconds(5)).isEmpty)
        #expect(pool.expire(now: t0 + .seconds(11)) == [3])
        #expect(pool.acquire(server: 0, allowReuse: true, now: t0 + .seconds(11)) == .connect)
    }

    @Test func test_poolFull_closesExtraConnection() {
        var pool = ConnectionPoolState(servers: 1, maxIdlePerServer: 1)
        _ = pool.release(1, server: 0, reusable: true, now: t0)
        #expect(pool.release(2, server: 0, reusable: true, now: t0) == .close(2))
    }
}
