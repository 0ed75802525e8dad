import Testing
@testable import Proxy

/// RFC 9112 §7.1 chunked framing followed byte for byte.
@Suite struct BodyFramerTests {
    func consume(_ framing: BodyFraming, _ text: String) throws -> (Int, Bool) {
        var framer = BodyFramer(framing)
        let n = try Array(text.utf8).withUnsafeBytes { try framer.consume($0) }
        return (n, framer.isComplete)
    }

    @Test func test_chunkedBody_endsAfterLastChunkAndTrailers() throws {
        let body = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n"
        let (n, done) = try consume(.chunked, body + "GET /next")
        #expect(n == body.utf8.count)
        #expect(done)
    }

    @Test func test_chunkedBody_acrossManyPieces_completesAtTheEnd() throws {
        var framer = BodyFramer(.chunked)
        let body = Array("a\r\n0123456789\r\n0\r\n\r\n".utf8)
        for (i, byte) in body.enumerated() {
            let n = try [byte].withUnsafeBytes { try framer.consume($0) }
            #expect(n == 1)
            #expect(framer.isComplete == (i == body.count - 1))
        }
    }

    @Test(arguments: ["zz\r\n", "\r\n", "5\nhello", "5\r\nhelloXX", "1234567890abcdef0\r\n", "5 x\r\n"])
    func test_invalidChunk_isRefused(_ text: String) {
        #expect(throws: HTTPParseError.invalidChunk) { try consume(.chunked, text) }
    }

    @Test func test_contentLength_takesExactlyItsBytes() throws {
        let (n, done) = try consume(.length(4), "abcdefg")
        #expect(n == 4)
        #expect(done)
    }

    @Test func test_untilClose_neverCompletes() throws {
        let (n, done) = try consume(.untilClose, "abc")
        #expect(n == 3)
        #expect(!done)
    }
}
