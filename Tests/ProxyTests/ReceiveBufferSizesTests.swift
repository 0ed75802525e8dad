import NIOCore
import Testing
@testable import Proxy

/// The compact receive allocator decides as NIO's adaptive one does, in an existential's
/// inline storage (issue 12: no box per connection).
@Suite struct ReceiveBufferSizesTests {
    @Test func test_fitsAnExistentialsInlineBuffer() {
        #expect(MemoryLayout<ReceiveBufferSizes>.size <= 3 * MemoryLayout<Int>.size)
    }

    @Test(arguments: [(64, 1024, 16384), (64, 2048, 65536), (64, 64, 64), (100, 1000, 10000), (64, 512, 1024)])
    func test_readSequences_sizeAsNIOsAdaptiveAllocator(minimum: Int, initial: Int, maximum: Int) {
        var generator = SystemRandomNumberGenerator()
        var ours = ReceiveBufferSizes(minimum: minimum, initial: initial, maximum: maximum)
        var nio = AdaptiveRecvByteBufferAllocator(minimum: minimum, initial: initial, maximum: maximum)
        #expect(ours.minimum == nio.minimum)
        #expect(ours.maximum == nio.maximum)
        for _ in 0..<5_000 {
            let size = nio.nextBufferSize()!
            #expect(ours.nextBufferSize() == size)
            // Full reads, half reads and everything between, so the size moves both ways.
            let read = [size, size / 2, Int.random(in: 0...size, using: &generator), size - 1, 0].randomElement(using: &generator)!
            #expect(ours.record(actualReadBytes: read) == nio.record(actualReadBytes: read))
        }
        #expect(ours.buffer(allocator: ByteBufferAllocator()).capacity == nio.buffer(allocator: ByteBufferAllocator()).capacity)
    }
}
