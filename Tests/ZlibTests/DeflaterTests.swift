import NIOCore
import Testing
import Zlib

/// The wrapper against zlib's own inflate: what `Deflater` writes, `Inflater` reads back whole.
@Suite struct DeflaterTests {
    static func text(_ size: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        var i = 0
        while buffer.readableBytes < size {
            buffer.writeString("line \(i) of a compressible text body, repeated. ")
            i += 1
        }
        return buffer.getSlice(at: 0, length: size)!
    }

    static func roundTrip(_ format: ZlibFormat, _ input: ByteBuffer, pieces: Int, flush: ZlibFlush) throws -> (compressed: ByteBuffer, inflated: ByteBuffer) {
        let deflater = try Deflater(format: format)
        var compressed = ByteBuffer()
        var rest = input
        let step = max(1, input.readableBytes / pieces)
        while rest.readableBytes > 0 {
            let piece = rest.readSlice(length: min(step, rest.readableBytes))!
            try deflater.deflate(piece, flush: flush, into: &compressed)
        }
        try deflater.finish(into: &compressed)
        let inflater = try Inflater(format: format)
        var inflated = ByteBuffer()
        try inflater.inflate(compressed, into: &inflated)
        #expect(inflater.isComplete)
        return (compressed, inflated)
    }

    @Test(arguments: [ZlibFormat.gzip, .zlib, .raw])
    func test_deflateInPieces_inflatesToTheOriginal(format: ZlibFormat) throws {
        let input = Self.text(300_000)
        let result = try Self.roundTrip(format, input, pieces: 37, flush: .none)
        #expect(result.inflated == input)
        #expect(result.compressed.readableBytes < input.readableBytes / 4)
    }

    @Test func test_syncFlush_makesEverySoFarInflatable() throws {
        let deflater = try Deflater(format: .gzip)
        let inflater = try Inflater(format: .gzip)
        var compressed = ByteBuffer()
        try deflater.deflate(ByteBuffer(string: "hello, "), flush: .sync, into: &compressed)
        var inflated = ByteBuffer()
        try inflater.inflate(compressed, into: &inflated)
        #expect(String(buffer: inflated) == "hello, ")
        #expect(!inflater.isComplete)
    }

    @Test func test_gzipOutput_startsWithTheGzipMagic() throws {
        let result = try Self.roundTrip(.gzip, ByteBuffer(string: "x"), pieces: 1, flush: .none)
        #expect(result.compressed.getBytes(at: 0, length: 2) == [0x1f, 0x8b])
        #expect(String(buffer: result.inflated) == "x")
    }

    @Test func test_emptyInput_isAValidEmptyStream() throws {
        let result = try Self.roundTrip(.gzip, ByteBuffer(), pieces: 1, flush: .none)
        #expect(result.inflated.readableBytes == 0)
        #expect(result.compressed.readableBytes > 0)
    }

    @Test func test_inflatingGarbage_throws() throws {
        let inflater = try Inflater(format: .gzip)
        var out = ByteBuffer()
        #expect(throws: ZlibError.self) { try inflater.inflate(ByteBuffer(string: "not gzip at all"), into: &out) }
    }
}
