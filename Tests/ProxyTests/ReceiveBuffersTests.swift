import NIOCore
import Testing
@testable import Proxy

/// The read buffers of the proxy's channels: `tune.bufsize` bounds them (issue 12).
@Suite struct ReceiveBuffersTests {
    @Test(arguments: [(16384, 16384), (10000, 8192), (1024, 1024), (10, 64)])
    func test_maximum_isThePowerOfTwoAtOrBelowBufsize(bufsize: Int, expected: Int) {
        #expect(ReceiveBuffers.maximum(bufsize: bufsize) == expected)
    }

    @Test func test_clientStartsAtOneKiB() {
        #expect(ReceiveBuffers.client(bufsize: 16384).nextBufferSize() == 1024)
    }

    @Test func test_clientOnSmallBufsize_startsAtBufsize() {
        #expect(ReceiveBuffers.client(bufsize: 512).nextBufferSize() == 512)
    }

    @Test(arguments: [16384, 10000, 1024])
    func test_readsThatFillEveryBuffer_neverGrowItPastBufsize(bufsize: Int) throws {
        for var allocator in [ReceiveBuffers.client(bufsize: bufsize), ReceiveBuffers.server(bufsize: bufsize)] {
            for _ in 0..<50 {
                let size = try #require(allocator.nextBufferSize())
                #expect(size <= bufsize)
                _ = allocator.record(actualReadBytes: size)
            }
            #expect(allocator.buffer(allocator: ByteBufferAllocator()).capacity <= bufsize)
        }
    }
}
