import NIOCore
import NIOEmbedded
import Testing
import TestSupport
import TLS

/// The scratch buffers the TLS connections of one loop share: reused when nothing else holds
/// them, never visible as sharing to the handlers after TLS.
@Suite struct TLSRecordBuffersTests {
    let certificates: TestCertificates
    let directory: String

    init() throws {
        certificates = try TestCertificates()
        try certificates.bundle("certs/1-default.pem", commonName: "default.example.com", names: ["default.example.com"])
        directory = certificates.directory + "/certs"
    }

    func pair(sharing buffers: TLSRecordBuffers) throws -> TLSPair {
        let server = try TLSServerContext(configuration: TLSServerConfiguration(certificatePath: directory, alpn: ["http/1.1"]))
        let client = try TLSClientContext(configuration: TLSClientConfiguration(verify: false))
        let pair = try TLSPair(server: server, client: client, serverName: nil, buffers: buffers)
        try pair.exchange()
        return pair
    }

    @Test func test_plaintextTheNextHandlerLetGoOf_isDecryptedIntoTheSameStorageNextTime() throws {
        let pair = try pair(sharing: TLSRecordBuffers())
        var others: [ByteBuffer] = []
        for request in ["GET /a HTTP/1.1\r\n\r\n", "GET /b HTTP/1.1\r\n\r\n"] {
            pair.client.writeAndFlush(ByteBuffer(string: request), promise: nil)
            try pair.exchange()
            // Buffers of the same size kept meanwhile: a new allocation could not land on the freed one.
            others += (0..<8).map { _ in ByteBuffer(repeating: 0, count: 64) }
        }
        withExtendedLifetime(others) {}
        #expect(pair.serverRecorder.received == "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n")
        #expect(pair.serverRecorder.readAddresses.count == 2)
        #expect(pair.serverRecorder.readAddresses.first == pair.serverRecorder.readAddresses.last)
    }

    @Test func test_plaintextTheNextHandlerKeeps_isNotOverwrittenByAnotherConnectionsRead() throws {
        let buffers = TLSRecordBuffers()
        let first = try pair(sharing: buffers)
        let second = try pair(sharing: buffers)
        first.serverRecorder.keepsBuffers = true
        first.client.writeAndFlush(ByteBuffer(string: "GET /first HTTP/1.1\r\nHost: a"), promise: nil)
        try first.exchange()
        second.client.writeAndFlush(ByteBuffer(string: "GET /second HTTP/1.1\r\n\r\n"), promise: nil)
        try second.exchange()
        #expect(first.serverRecorder.kept.map { String(buffer: $0) } == ["GET /first HTTP/1.1\r\nHost: a"])
        #expect(second.serverRecorder.received == "GET /second HTTP/1.1\r\n\r\n")
        #expect(first.serverRecorder.readAddresses != second.serverRecorder.readAddresses)
    }

    @Test func test_writesGatheredOnTwoConnectionsAtOnce_eachLeaveWhole() throws {
        let buffers = TLSRecordBuffers()
        let first = try pair(sharing: buffers)
        let second = try pair(sharing: buffers)
        // Both gather two writes before either flushes: the second cannot use the loop's buffer.
        first.server.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), promise: nil)
        first.server.write(ByteBuffer(string: "first"), promise: nil)
        second.server.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"), promise: nil)
        second.server.write(ByteBuffer(string: "second"), promise: nil)
        second.server.flush()
        first.server.flush()
        try first.exchange()
        try second.exchange()
        #expect(first.clientRecorder.received == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
        #expect(second.clientRecorder.received == "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")
        // And again, now that both gatherings are back: each connection's next response is its own.
        first.server.write(ByteBuffer(string: "HTTP/1.1 204 No Content\r\n\r\n"), promise: nil)
        first.server.write(ByteBuffer(), promise: nil)
        first.server.flush()
        try first.exchange()
        #expect(first.clientRecorder.received.hasSuffix("first" + "HTTP/1.1 204 No Content\r\n\r\n"))
    }
}
