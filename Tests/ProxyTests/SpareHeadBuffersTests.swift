import HACore
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Proxy

/// Head buffers lent by a loop to its sessions: an idle session holds none (issue 12).
@Suite struct SpareHeadBuffersTests {
    /// A loop whose `tune.bufsize` is 1024.
    static func loopContext() throws -> LoopContext {
        let loop = EmbeddedEventLoop()
        let backend = BackendPlan(name: "app", servers: [ServerPlan(name: "websvr1", host: "198.18.0.21", port: 80)])
        let frontend = FrontendPlan(name: "web", binds: [BindPlan(host: "198.18.0.10", port: 80)], defaultBackend: 0)
        let plan = ProxyPlan(threads: 1, bufsize: 1024, frontends: [frontend], backends: [backend])
        let server = try SocketAddress(ipAddress: "198.18.0.21", port: 80)
        let runtime = ProxyRuntime(
            plan: plan, backends: [BackendState(index: 0, plan: backend, addresses: [(server, server)])], loops: [loop],
            bus: EventBus(), logger: Logger(label: "spare-head-buffers"), logSink: LogSink(targets: []),
            limits: ConnectionLimits(requested: 100, descriptorLimit: 1024))
        return LoopContext(index: 0, eventLoop: loop, runtime: runtime)
    }

    @Test func test_idleSession_givesItsHeadBuffersBack() throws {
        let loop = try Self.loopContext()
        var request: ByteBuffer? = ByteBufferAllocator().buffer(capacity: 512)
        var response: ByteBuffer? = ByteBufferAllocator().buffer(capacity: 256)
        loop.takeBackHeadBuffers(&request, &response)
        #expect(request == nil && response == nil)
        #expect(loop.spareHeadBuffers.count == 2)
    }

    @Test func test_sessionWithoutABuffer_borrowsTheLoopsSpare() throws {
        let loop = try Self.loopContext()
        var idle: ByteBuffer? = ByteBufferAllocator().buffer(capacity: 512)
        var none: ByteBuffer?
        loop.takeBackHeadBuffers(&idle, &none)
        var slot: ByteBuffer?
        let lent = loop.headBuffer(from: &slot, minimumCapacity: 300, allocator: ByteBufferAllocator())
        #expect(loop.spareHeadBuffers.isEmpty)
        #expect(lent.capacity == 512)
        #expect(lent.readableBytes == 0)
    }

    @Test func test_noSpare_allocatesAFreshBuffer() throws {
        let loop = try Self.loopContext()
        var slot: ByteBuffer?
        let fresh = loop.headBuffer(from: &slot, minimumCapacity: 300, allocator: ByteBufferAllocator())
        #expect(fresh.capacity >= 300)
        #expect(loop.spareHeadBuffers.isEmpty)
    }

    @Test func test_bufferLargerThanBufsize_isFreedNotKept() throws {
        let loop = try Self.loopContext()
        var large: ByteBuffer? = ByteBufferAllocator().buffer(capacity: 4096)
        var none: ByteBuffer?
        loop.takeBackHeadBuffers(&large, &none)
        #expect(large == nil)
        #expect(loop.spareHeadBuffers.isEmpty)
    }

    @Test func test_spares_areBoundedByTheLimit() throws {
        let loop = try Self.loopContext()
        for _ in 0..<(LoopContext.spareHeadBufferLimit + 10) {
            var buffer: ByteBuffer? = ByteBufferAllocator().buffer(capacity: 256)
            var none: ByteBuffer?
            loop.takeBackHeadBuffers(&buffer, &none)
        }
        #expect(loop.spareHeadBuffers.count == LoopContext.spareHeadBufferLimit)
    }
}
