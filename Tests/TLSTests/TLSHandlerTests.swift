import NIOCore
import NIOEmbedded
import Testing
import TestSupport
@testable import TLS

@Suite struct TLSHandlerTests {
    let certificates: TestCertificates
    let directory: String

    init() throws {
        certificates = try TestCertificates()
        try certificates.bundle("certs/1-default.pem", commonName: "default.example.com", names: ["default.example.com"])
        try certificates.bundle("certs/2-api.pem", commonName: "api.example.com", names: ["api.example.com"])
        try certificates.bundle("certs/3-wild.pem", commonName: "wild", names: ["*.example.net"])
        directory = certificates.directory + "/certs"
    }

    func serverContext(_ change: (inout TLSServerConfiguration) -> Void = { _ in }) throws -> TLSServerContext {
        var configuration = TLSServerConfiguration(certificatePath: directory, alpn: ["http/1.1"])
        change(&configuration)
        return try TLSServerContext(configuration: configuration)
    }

    func clientContext(_ change: (inout TLSClientConfiguration) -> Void = { _ in }) throws -> TLSClientContext {
        var configuration = TLSClientConfiguration(verify: false)
        change(&configuration)
        return try TLSClientContext(configuration: configuration)
    }

    @Test func test_handshake_announcesFactsBeforeChannelActive_thenCarriesDataBothWays() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: "api.example.com")
        try pair.exchange()
        #expect(pair.serverRecorder.events == ["handshake", "active"])
        #expect(pair.serverRecorder.info?.protocolVersion == "TLSv1.3")
        #expect(pair.serverRecorder.info?.serverName == "api.example.com")
        try pair.client.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")).wait()
        try pair.exchange()
        #expect(pair.serverRecorder.received == "GET / HTTP/1.1\r\n\r\n")
        try pair.server.writeAndFlush(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")).wait()
        try pair.exchange()
        #expect(pair.clientRecorder.received == "HTTP/1.1 200 OK\r\n\r\n")
    }

    @Test(arguments: [
        ("default.example.com", 0), ("api.example.com", 1), ("www.example.net", 2), ("unknown.example.org", 0),
    ])
    func test_serverName_selectsTheCertificate(name: String, index: Int) throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: name)
        try pair.exchange()
        #expect(pair.serverRecorder.info?.certificateIndex == index)
    }

    @Test func test_noServerName_servesTheDefaultCertificate() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        try pair.exchange()
        #expect(pair.serverRecorder.info?.serverName == nil)
        #expect(pair.serverRecorder.info?.certificateIndex == 0)
    }

    @Test func test_strictSNI_refusesAnUnknownName() throws {
        let pair = try TLSPair(server: serverContext { $0.strictSNI = true }, client: clientContext(), serverName: "other.example.org")
        try pair.exchange()
        #expect(pair.serverRecorder.tlsErrors.map(\.kind) == [.unknownServerName])
        #expect(pair.serverRecorder.events.isEmpty)
        #expect(!pair.server.isActive)
    }

    @Test func test_alpn_agreesOnHTTP1() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext { $0.alpn = ["h2", "http/1.1"] }, serverName: nil)
        try pair.exchange()
        #expect(pair.serverRecorder.info?.alpn == "http/1.1")
    }

    @Test func test_alpn_withoutOverlap_completesWithoutProtocol() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext { $0.alpn = ["h2"] }, serverName: nil)
        try pair.exchange()
        #expect(pair.serverRecorder.events == ["handshake", "active"])
        #expect(pair.serverRecorder.info?.alpn == nil)
    }

    @Test(arguments: [TLSProtocolVersion.tls1_0, .tls1_1])
    func test_oldProtocolVersions_areRefused(version: TLSProtocolVersion) throws {
        let client = try clientContext {
            $0.minimumVersion = version
            $0.maximumVersion = version
            $0.ciphers = "DEFAULT:@SECLEVEL=0"
        }
        let pair = try TLSPair(server: serverContext(), client: client, serverName: nil)
        try pair.exchange()
        #expect(pair.serverRecorder.tlsErrors.map(\.kind) == [.protocolVersionRefused])
        #expect(pair.serverRecorder.events.isEmpty)
    }

    @Test func test_maximumVersion_holdsTheHandshakeToTLS12() throws {
        let pair = try TLSPair(server: serverContext { $0.maximumVersion = .tls1_2 }, client: clientContext(), serverName: nil)
        try pair.exchange()
        #expect(pair.serverRecorder.info?.protocolVersion == "TLSv1.2")
    }

    @Test func test_plaintextHTTP_isRefusedAndNothingPassesOn() throws {
        let server = EmbeddedChannel()
        let recorder = Recorder()
        try server.pipeline.syncOperations.addHandler(TLSHandler(server: serverContext()))
        try server.pipeline.syncOperations.addHandler(recorder)
        try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        try server.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(recorder.tlsErrors.map(\.kind) == [.plaintextHTTP])
        #expect(recorder.received.isEmpty)
        #expect(recorder.events.isEmpty)
        #expect(!server.isActive)
    }

    @Test func test_clientHelloCutShort_thenEndOfStream_isUnexpectedEOF() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: "api.example.com")
        var hello = try pair.clientOutput()
        let half = hello.readSlice(length: hello.readableBytes / 2)!
        try pair.server.writeInbound(half)
        #expect(pair.serverRecorder.errors.isEmpty)
        pair.server.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(pair.serverRecorder.tlsErrors.map(\.kind) == [.unexpectedEOF])
        #expect(!pair.server.isActive)
    }

    @Test func test_stalledHandshake_isClosedAtTheTimeout() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil, handshakeTimeout: .seconds(5))
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(pair.server.isActive)
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(pair.serverRecorder.tlsErrors.map(\.kind) == [.handshakeTimeout])
        #expect(!pair.server.isActive)
    }

    @Test func test_completedHandshake_cancelsTheTimeout() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil, handshakeTimeout: .seconds(5))
        try pair.exchange()
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(pair.server.isActive)
        #expect(pair.serverRecorder.errors.isEmpty)
    }

    @Test func test_serverClose_sendsCloseNotify_whichTheClientSeesAsEndOfInput() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        _ = try pair.client.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).wait()
        try pair.exchange()
        pair.server.close(promise: nil)
        try pair.exchange()
        #expect(pair.clientRecorder.events.contains("inputClosed"))
        #expect(pair.clientRecorder.errors.isEmpty)
    }

    @Test func test_clientCloseNotify_reachesTheNextHandlerAsInputClosed() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        try pair.exchange()
        pair.client.close(mode: .output, promise: nil)
        try pair.exchange()
        #expect(pair.serverRecorder.events == ["handshake", "active", "inputClosed"])
        #expect(pair.server.isActive)
    }

    @Test func test_writesBetweenFlushes_leaveAtTheFlushAsOneRecord() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        try pair.exchange()
        let below = CiphertextWrites()
        try pair.server.pipeline.syncOperations.addHandler(below, position: .first)
        let head = pair.server.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"))
        let body = pair.server.write(ByteBuffer(string: "hello"))
        #expect(below.buffers.isEmpty)
        pair.server.flush()
        #expect(below.buffers.count == 1)
        #expect(below.buffers.first.map(TLSRecords.count) == 1)
        try head.wait()
        try body.wait()
        try pair.exchange()
        #expect(pair.clientRecorder.received == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    }

    @Test func test_largeWrite_isEncryptedBeforeTheFlush_soTheChannelCountsItsBytes() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        try pair.exchange()
        let below = CiphertextWrites()
        try pair.server.pipeline.syncOperations.addHandler(below, position: .first)
        let size = 1 << 20
        pair.server.write(ByteBuffer(repeating: 0x61, count: size), promise: nil)
        // Not flushed yet: the ciphertext already went down the pipeline, not held in the handler.
        #expect(below.bytes > size)
        #expect(below.bytes < size + size / 50)
        pair.server.flush()
        try pair.exchange()
        #expect(pair.clientRecorder.received.utf8.count == size)
    }

    @Test func test_closeAfterUnflushedWrites_sendsThemBeforeCloseNotify() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        _ = try pair.client.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).wait()
        try pair.exchange()
        pair.server.write(ByteBuffer(string: "last words"), promise: nil)
        pair.server.close(promise: nil)
        try pair.exchange()
        #expect(pair.clientRecorder.received == "last words")
        #expect(pair.clientRecorder.events.contains("inputClosed"))
    }

    @Test func test_severalRecordsInOneRead_reachTheNextHandlerAsOneRead() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        try pair.exchange()
        for piece in ["GET /a HTTP/1.1\r\n\r\n", "GET /b HTTP/1.1\r\n\r\n", "GET /c HTTP/1.1\r\n\r\n"] {
            pair.client.writeAndFlush(ByteBuffer(string: piece), promise: nil)
        }
        let records = try pair.clientOutput()
        #expect(TLSRecords.count(records) == 3)
        try pair.server.writeInbound(records)
        #expect(pair.serverRecorder.reads == 1)
        #expect(pair.serverRecorder.received == "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n")
    }

    @Test func test_writeBeforeTheHandshake_waitsForIt() throws {
        let pair = try TLSPair(server: serverContext(), client: clientContext(), serverName: nil)
        let written = pair.server.writeAndFlush(ByteBuffer(string: "early"))
        try pair.exchange()
        try written.wait()
        #expect(pair.clientRecorder.received == "early")
    }
}
