import NIOCore
import Testing
@testable import Proxy

/// Fields parsed from a received head keep the head and where each line lies in it, and make
/// strings only when read; they must read, compare, rewrite and serialize exactly as fields made
/// of text.
@Suite struct ReceivedFieldTests {
    static func response(_ fieldLines: [UInt8]) throws -> HTTPResponseHead {
        try (Array("HTTP/1.1 200 OK\r\n".utf8) + fieldLines + Array("\r\n".utf8)).withUnsafeBytes {
            try HTTPHeadParser.parseResponse($0)
        }
    }

    @Test func test_received_readsNameAndValue_withoutOWS() throws {
        let head = try Self.response(Array("X-Trace:  \t abc def \t \r\nEmpty:\r\nContent-Length: 12\r\n".utf8))
        #expect(head.fields.fields.map(\.name) == ["X-Trace", "Empty", "Content-Length"])
        #expect(head.fields.fields.map(\.value) == ["abc def", "", "12"])
        #expect(head.fields.first(.contentLength) == "12")
        #expect(head.fields.first("x-TRACE") == "abc def")
        #expect(head.fields.first("X-Trac") == nil)
        #expect(head.fields.first("X-Tracf") == nil)
    }

    @Test func test_received_obsText_survivesReadAndSerialization_byteForByte() throws {
        let line: [UInt8] = Array("X-Name: caf".utf8) + [0xE9, 0xFF] + Array("\r\n".utf8)
        let head = try Self.response(line)
        #expect(head.fields.first("X-Name") == "caf\u{E9}\u{FF}")
        var out = ByteBuffer()
        out.writeResponseHead(head)
        #expect(out.readBytes(length: out.readableBytes)! == Array("HTTP/1.1 200 OK\r\n".utf8) + line + Array("\r\n".utf8))
    }

    @Test func test_received_equalsTheSameFieldMadeOfText_andHashesAlike() throws {
        let head = try Self.response(Array("X-A: 1\r\n".utf8))
        let text = HTTPField(name: "X-A", value: "1")
        #expect(head.fields.fields[0] == text)
        #expect(head.fields.fields[0].hashValue == text.hashValue)
        #expect(head.fields.fields[0] != HTTPField(name: "X-A", value: "2"))
    }

    @Test func test_received_rewritten_keepsTheOtherPart_andReclassifies() throws {
        var head = try Self.response(Array("X-A: 1\r\nX-B: 2\r\n".utf8))
        head.fields.fields[0].value = "one"
        head.fields.fields[1].name = "Content-Length"
        #expect(head.fields.fields[0].name == "X-A")
        #expect(head.fields.fields[0].value == "one")
        #expect(head.fields.fields[1].known == .contentLength)
        #expect(head.fields.first(.contentLength) == "2")
        var out = ByteBuffer()
        out.writeResponseHead(head)
        #expect(out.readString(length: out.readableBytes) == "HTTP/1.1 200 OK\r\nX-A: one\r\nContent-Length: 2\r\n\r\n")
    }

    @Test func test_received_fieldsOutliveTheBufferTheyCameFrom_whenItIsReused() throws {
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nX-A: first\r\n\r\n")
        var storage: [HTTPFields.Line] = []
        let head = try HTTPHeadParser.parseResponse(buffer, storage: &storage)
        // The channel reuses its read buffer for the next read: the head's fields must not change.
        buffer.clear()
        buffer.writeString("HTTP/1.1 200 OK\r\nX-A: other\r\n\r\n")
        #expect(head.fields.first("X-A") == "first")
    }

    static func request(_ fieldLines: String) throws -> HTTPRequestHead {
        try Array("GET / HTTP/1.1\r\n\(fieldLines)\r\n".utf8).withUnsafeBytes { try HTTPHeadParser.parseRequest($0) }
    }

    static func serialized(_ head: HTTPRequestHead) -> String {
        var out = ByteBuffer()
        out.writeRequestHead(head)
        return out.readString(length: out.readableBytes)!
    }

    @Test func test_received_hopByHopStrip_removesNamedLines_andKeepsTheRestAsReceived() throws {
        var head = try Self.request(
            "Host: a\r\nConnection: close, X-Drop\r\nX-Keep:  1 \r\nx-drop: 2\r\nKeep-Alive: t=1\r\nX-Drop: 3\r\nAccept: */*\r\n")
        let options = HopByHop.strip(&head.fields)
        #expect(options.close)
        #expect(Self.serialized(head) == "GET / HTTP/1.1\r\nHost: a\r\nX-Keep: 1\r\nAccept: */*\r\n\r\n")
    }

    @Test func test_received_cookieRewrite_changesOnlyTheCookieLines() throws {
        let sticky = StickyCookie(persistence: CookiePersistence(name: "SRV", mode: .insert, indirect: true), serverValues: ["1", "2"])
        var head = try Self.request("Cookie: SRV=2\r\nX-A: a\r\nCookie: a=b; SRV=1; c=d\r\nX-B: b\r\n")
        #expect(sticky.inspectRequest(&head.fields) == 1)
        // The line left with no pair goes; the other keeps its other pairs; the rest is untouched.
        #expect(Self.serialized(head) == "GET / HTTP/1.1\r\nX-A: a\r\nCookie: a=b; c=d\r\nX-B: b\r\n\r\n")
    }

    @Test func test_received_setValueAndRemove_byIndex_keepTheOtherLinesBytes() throws {
        var head = try Self.request("A: 1\r\nB: 2\r\nC: cafe\r\n")
        head.fields.setValue("two", at: 1)
        head.fields.remove(at: 0)
        head.fields.add("D", "4")
        #expect(head.fields.name(at: 0) == "B")
        #expect(Self.serialized(head) == "GET / HTTP/1.1\r\nB: two\r\nC: cafe\r\nD: 4\r\n\r\n")
        #expect(head.fields == HTTPFields([HTTPField(name: "B", value: "two"), HTTPField(name: "C", value: "cafe"), HTTPField(name: "D", value: "4")]))
    }
}
