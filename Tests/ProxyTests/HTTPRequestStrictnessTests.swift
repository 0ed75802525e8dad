import NIOCore
import Testing
@testable import Proxy

/// RFC 9112 strictness of request heads: each malformed request is refused with its status.
@Suite struct HTTPRequestStrictnessTests {
    /// Scans and parses a request head and decides its framing, as the session does.
    static func evaluate(_ raw: String, limit: Int = 16384) throws -> (HTTPRequestHead, BodyFraming)? {
        var scanner = HTTPHeadScanner(limit: limit)
        let bytes = Array(raw.utf8)
        return try bytes.withUnsafeBytes { buffer -> (HTTPRequestHead, BodyFraming)? in
            guard let span = try scanner.scan(buffer) else { return nil }
            let head = try HTTPHeadParser.parseRequest(UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end]))
            return (head, try MessageFraming.request(head))
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var raw: String
        var error: HTTPParseError
        var testDescription: String { name }
    }

    static let refused: [Case] = [
        Case(name: "Content-Length with Transfer-Encoding", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", error: .contentLengthWithTransferEncoding),
        Case(name: "duplicate Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", error: .invalidContentLength),
        Case(name: "Content-Length list", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", error: .invalidContentLength),
        Case(name: "empty Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", error: .invalidContentLength),
        Case(name: "signed Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", error: .invalidContentLength),
        Case(name: "Transfer-Encoding not ending in chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", error: .invalidTransferEncoding),
        Case(name: "Transfer-Encoding on HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", error: .invalidTransferEncoding),
        Case(name: "body on HTTP/1.0 GET", raw: "GET / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", error: .bodyNotAllowed),
        Case(name: "body on HTTP/1.0 HEAD", raw: "HEAD / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", error: .bodyNotAllowed),
        Case(name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", error: .obsoleteLineFolding),
        Case(name: "bare LF in head", raw: "GET / HTTP/1.1\nHost: a\r\n\r\n", error: .invalidLineEnding),
        Case(name: "bare CR in head", raw: "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", error: .invalidLineEnding),
        Case(name: "bare CR in the request line", raw: "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidLineEnding),
        Case(name: "bare CR in a field name", raw: "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", error: .invalidLineEnding),
        Case(name: "bare CR before the request line", raw: "\r\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidLineEnding),
        Case(name: "CR ending the head without LF", raw: "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n", error: .invalidLineEnding),
        Case(name: "space before colon", raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", error: .invalidHeaderName),
        Case(name: "NUL in header value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", error: .invalidHeaderValue),
        Case(name: "invalid method", raw: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidMethod),
        Case(name: "invalid version", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", error: .invalidVersion),
        Case(name: "lowercase version", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", error: .invalidVersion),
        Case(name: "missing version", raw: "GET /\r\nHost: a\r\n\r\n", error: .invalidStartLine),
        Case(name: "control byte in target", raw: "GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget),
        Case(name: "absolute-form and Host disagree", raw: "GET http://a.example/x HTTP/1.1\r\nHost: b.example\r\n\r\n", error: .invalidHost),
        Case(name: "missing Host on HTTP/1.1", raw: "GET / HTTP/1.1\r\n\r\n", error: .invalidHost),
        Case(name: "two Host fields", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error: .invalidHost),
        Case(name: "asterisk target outside OPTIONS", raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget),
        Case(name: "relative target", raw: "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget),
        // Smuggling: a server that decodes `identity` or an unknown coding first frames the body
        // otherwise than the proxy. Only `chunked` alone is forwarded.
        Case(name: "Transfer-Encoding identity, chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n", error: .invalidTransferEncoding),
        Case(name: "Transfer-Encoding foo, chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n", error: .invalidTransferEncoding),
        Case(name: "Transfer-Encoding identity and chunked on two lines", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n", error: .invalidTransferEncoding),
        Case(name: "Transfer-Encoding chunked on two lines", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", error: .invalidTransferEncoding),
        Case(name: "Transfer-Encoding identity alone", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", error: .invalidTransferEncoding),
        // ACL bypass: `/admin#x` does not match `path /admin`, but the server serves /admin.
        Case(name: "fragment in origin-form target", raw: "GET /admin#x HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget),
        Case(name: "fragment in absolute-form target", raw: "GET http://a/admin#.png HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget),
        Case(name: "101 fields (tune.http.maxhdr 101 counts the request line)", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + (1...100).map { "X-H\($0): v\r\n" }.joined() + "\r\n", error: .tooManyFields),
    ]

    @Test(arguments: refused)
    func test_malformedRequest_isRefusedWithItsError(_ c: Case) {
        #expect(throws: c.error) { try Self.evaluate(c.raw) }
    }

    @Test func test_headLargerThanBufsize_isRefusedWith431() {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(throws: HTTPParseError.headTooLarge) { try Self.evaluate(raw, limit: 1024) }
        #expect(HTTPParseError.headTooLarge.status == 431)
    }

    @Test func test_refusedErrors_mapToStatus400Or413() {
        #expect(HTTPParseError.contentLengthWithTransferEncoding.status == 400)
        #expect(HTTPParseError.bodyNotAllowed.status == 413)
    }

    @Test func test_validChunkedRequest_isAccepted() throws {
        let result = try Self.evaluate("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(result?.1 == .chunked)
        #expect(result?.0.target == "/up")
    }

    @Test(arguments: ["Chunked", "chunked,", "chunked , ", "CHUNKED"])
    func test_transferEncodingChunkedAlone_isAcceptedInAnyCaseAndWithEmptyListElements(_ coding: String) throws {
        let result = try Self.evaluate("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(coding)\r\n\r\n")
        #expect(result?.1 == .chunked)
    }

    @Test func test_hundredFields_areAcceptedAtTheDefaultMaxhdr() throws {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\n" + (1...99).map { "X-H\($0): v\r\n" }.joined() + "\r\n"
        #expect(try Self.evaluate(raw)?.0.fields.fields.count == 100)
    }

    @Test func test_maxHeaderLines_isTheConfiguredLimit() throws {
        // 3 fields + the request line = 4 lines.
        let raw = Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-B: 2\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.tooManyFields) {
            try raw.withUnsafeBytes { try HTTPHeadParser.parseRequest($0, maxHeaderLines: 3) }
        }
        let head = try raw.withUnsafeBytes { try HTTPHeadParser.parseRequest($0, maxHeaderLines: 4) }
        #expect(head.fields.fields.count == 3)
        #expect(HTTPParseError.tooManyFields.status == 400)
    }

    @Test func test_responseOverMaxhdr_isRefused() {
        let raw = Array("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.tooManyFields) {
            try raw.withUnsafeBytes { try HTTPHeadParser.parseResponse($0, maxHeaderLines: 2) }
        }
    }

    @Test func test_leadingEmptyLine_isIgnored() throws {
        let result = try Self.evaluate("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(result?.0.method == "GET")
    }

    @Test func test_incompleteHead_asksForMore() throws {
        #expect(try Self.evaluate("GET / HTTP/1.1\r\nHost: a\r\n") == nil)
    }

    @Test func test_obsTextInValue_survivesRoundTrip() throws {
        let raw: [UInt8] = Array("GET / HTTP/1.1\r\nHost: a\r\nX: ".utf8) + [0xE9, 0xFF] + Array("\r\n\r\n".utf8)
        var scanner = HTTPHeadScanner(limit: 1000)
        let head = try raw.withUnsafeBytes { buffer in
            let span = try scanner.scan(buffer)!
            return try HTTPHeadParser.parseRequest(UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end]))
        }
        var out = ByteBuffer()
        out.writeRequestHead(head)
        #expect(Array(out.readableBytesView) == raw)
    }

    @Test func test_absoluteFormMatchingHost_isAccepted() throws {
        let result = try Self.evaluate("GET http://a.example/x?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n")
        #expect(result?.0.path == "/x")
    }
}
