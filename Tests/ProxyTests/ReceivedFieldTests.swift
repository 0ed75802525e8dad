import NIOCore
import Testing
@testable import Proxy

/// Fields parsed from a received head keep slices of it and make strings only when read; they
/// must read, compare, rewrite and serialize exactly as fields made of text.
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
        var storage: [HTTPField] = []
        let head = try HTTPHeadParser.parseResponse(buffer, storage: &storage)
        // The channel reuses its read buffer for the next read: the head's fields must not change.
        buffer.clear()
        buffer.writeString("HTTP/1.1 200 OK\r\nX-A: other\r\n\r\n")
        #expect(head.fields.first("X-A") == "first")
    }
}
