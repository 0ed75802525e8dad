import HAConfig
import NIOCore
import NIOPosix
import Testing
import Zlib
@testable import Proxy

/// `compression algo|type|offload` end to end: real server, proxy and client on loopback.
@Suite(.serialized) struct ProxyCompressionTests {
    static func gzip(types: [String] = [], offload: Bool = false) -> (inout BackendPlan) -> Void {
        { $0.compression = CompressionPlan(algorithms: [.gzip], types: types, offload: offload) }
    }

    static func inflate(_ bytes: [UInt8], _ format: ZlibFormat = .gzip) throws -> [UInt8] {
        let inflater = try Inflater(format: format)
        var out = ByteBuffer()
        try inflater.inflate(ByteBuffer(bytes: bytes), into: &out)
        #expect(inflater.isComplete)
        return Array(out.readableBytesView)
    }

    static func get(_ port: Int, _ target: String, _ fields: String = "") throws -> TestConnection.Response {
        let connection = try TestConnection(port: port)
        try connection.send("GET \(target) HTTP/1.1\r\nHost: a\r\n\(fields)\r\n")
        return try connection.readResponse()
    }

    @Test func test_textResponse_arrivesGzipEncodedChunkedAndInflatesToTheOriginal() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip(types: ["text/html", "text/plain"])) { _, port in
            let response = try Self.get(port, "/set?size=50000", "Accept-Encoding: gzip, deflate\r\n")
            #expect(response.status == 200)
            #expect(response.header("content-encoding") == "gzip")
            #expect(response.header("vary") == "Accept-Encoding")
            #expect(response.header("transfer-encoding") == "chunked")
            #expect(response.header("content-length") == nil)
            #expect(response.bodyBytes.count < 50000 / 4)
            #expect(try Self.inflate(response.bodyBytes) == TestHTTPServer.text(50000))
        }
    }

    @Test func test_chunkedServerResponse_isDecodedThenCompressed() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip(types: ["text/html"])) { _, port in
            let response = try Self.get(port, "/chunked?size=30000", "Accept-Encoding: gzip\r\n")
            #expect(response.header("content-encoding") == "gzip")
            #expect(try Self.inflate(response.bodyBytes) == TestHTTPServer.text(30000))
        }
    }

    @Test func test_deflateAlgorithm_sendsTheZlibFormat() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.compression = CompressionPlan(algorithms: [.deflate]) }) { _, port in
            let response = try Self.get(port, "/set?size=5000", "Accept-Encoding: deflate\r\n")
            #expect(response.header("content-encoding") == "deflate")
            #expect(try Self.inflate(response.bodyBytes, .zlib) == TestHTTPServer.text(5000))
        }
    }

    @Test func test_strongETag_isWeakened_weakOneKept() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip()) { _, port in
            let strong = try Self.get(port, "/set?ETag=%22v1%22", "Accept-Encoding: gzip\r\n")
            #expect(strong.header("etag") == "W/\"v1\"")
            let weak = try Self.get(port, "/set?ETag=W/%22v2%22", "Accept-Encoding: gzip\r\n")
            #expect(weak.header("etag") == "W/\"v2\"")
        }
    }

    @Test(arguments: [
        ("no Accept-Encoding", "/set?size=3000", ""),
        ("client refuses gzip with q=0", "/set?size=3000", "Accept-Encoding: gzip;q=0, br\r\n"),
        ("already encoded", "/set?Content-Encoding=br", "Accept-Encoding: gzip\r\n"),
        ("type not listed", "/set?Content-Type=image/png", "Accept-Encoding: gzip\r\n"),
        ("Cache-Control: no-transform", "/set?Cache-Control=public,%20no-transform", "Accept-Encoding: gzip\r\n"),
        ("status 404", "/status/404", "Accept-Encoding: gzip\r\n"),
        ("multipart", "/set?Content-Type=multipart/mixed", "Accept-Encoding: gzip\r\n"),
    ])
    func test_ineligibleResponse_isForwardedUncompressed(_ why: String, _ target: String, _ fields: String) async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip(types: ["text/plain", "multipart/mixed"])) { _, port in
            let response = try Self.get(port, target, fields)
            #expect(response.header("content-encoding") == (target.contains("Content-Encoding=br") ? "br" : nil), "\(why)")
            #expect(response.header("content-length") != nil, "\(why)")
            #expect(response.header("vary") == nil, "\(why)")
        }
    }

    @Test func test_http10Client_isNotSentAChunkedBody() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip()) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET /set?size=3000 HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.header("content-encoding") == nil)
            #expect(response.bodyBytes == TestHTTPServer.text(3000))
        }
    }

    @Test func test_withoutOffload_theServerStillSeesAcceptEncoding() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip()) { s1, port in
            _ = try Self.get(port, "/set", "Accept-Encoding: gzip\r\n")
            #expect(s1.trafficRequests.last?.header("accept-encoding") == "gzip")
        }
    }

    @Test func test_offload_removesAcceptEncodingTowardsTheServer_andStillCompresses() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip(offload: true)) { s1, port in
            let response = try Self.get(port, "/set?size=4000", "Accept-Encoding: gzip\r\n")
            #expect(s1.trafficRequests.last?.header("accept-encoding") == nil)
            #expect(response.header("content-encoding") == "gzip")
            #expect(try Self.inflate(response.bodyBytes) == TestHTTPServer.text(4000))
        }
    }

    @Test func test_frontendCompression_appliesWhenTheBackendHasNone() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.compression = CompressionPlan(algorithms: [.gzip]) }) { _, port in
            let response = try Self.get(port, "/set", "Accept-Encoding: gzip\r\n")
            #expect(response.header("content-encoding") == "gzip")
        }
    }

    @Test func test_keepAlive_secondResponseAfterACompressedOneIsIntact() async throws {
        try await ProxyHarness.withOneServer(backend: Self.gzip()) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET /set?size=7000 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
            let first = try connection.readResponse()
            #expect(try Self.inflate(first.bodyBytes) == TestHTTPServer.text(7000))
            try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try connection.readResponse().body == "This is HTTP server websvr1\n")
        }
    }

    @Test func test_severalMegabyteResponse_streamsWithBackpressure_notHeldWhole() async throws {
        // Random bytes do not shrink: the compressed stream is as large as the body, so a proxy
        // that streams cannot take the server's whole response while its client reads nothing.
        let size = 24 * 1024 * 1024
        try await ProxyHarness.withOneServer(backend: Self.gzip()) { s1, port in
            let connection = try TestConnection(port: port, timeoutMilliseconds: 30_000)
            try connection.send("GET /random?size=\(size) HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
            let finishedEarly = try await ProxyHarness.waitUntil(seconds: 4) { s1.responsesWritten.load(ordering: .relaxed) > 0 }
            #expect(!finishedEarly)
            let response = try connection.readResponse()
            #expect(response.header("content-encoding") == "gzip")
            #expect(try Self.inflate(response.bodyBytes) == TestHTTPServer.randomBytes(size))
        }
    }
}

/// `compression` negotiation and eligibility, without sockets.
@Suite struct CompressionPlanTests {
    static func request(_ acceptEncoding: String?, minor: Int = 1) -> HTTPRequestHead {
        var head = HTTPRequestHead(method: "GET", target: "/", minorVersion: minor)
        if let acceptEncoding { head.fields.add("Accept-Encoding", acceptEncoding) }
        return head
    }

    @Test(arguments: [
        ("gzip", HTTPCompression.Algorithm?.some(.gzip)),
        ("deflate, gzip;q=0.5", .some(.gzip)),
        ("GZIP", .some(.gzip)),
        ("gzip;q=0", nil),
        ("gzip;q=0.000", nil),
        ("*", .some(.gzip)),
        ("*, gzip;q=0", nil),
        ("br", nil),
    ])
    func test_acceptEncoding_choosesAConfiguredAlgorithmTheClientAccepts(_ header: String, _ expected: HTTPCompression.Algorithm?) {
        #expect(CompressionPlan(algorithms: [.gzip]).negotiate(Self.request(header)) == expected)
    }

    /// HAProxy 2.6, observed with `compression algo gzip deflate`.
    @Test(arguments: [
        ("deflate, gzip", HTTPCompression.Algorithm.deflate),
        ("gzip, deflate", .gzip),
        ("gzip;q=0.1, deflate;q=0.9", .deflate),
        ("gzip;q=0, deflate", .deflate),
        ("*", .deflate),
    ])
    func test_highestQThenClientOrderWins_andStarMeansTheLastConfigured(_ header: String, _ expected: HTTPCompression.Algorithm) {
        #expect(CompressionPlan(algorithms: [.gzip, .deflate]).negotiate(Self.request(header)) == expected)
    }

    @Test func test_backendAlgorithms_winOverTheFrontends() {
        let plan = CompressionPlan.effective(frontend: CompressionPlan(algorithms: [.deflate], offload: true), backend: CompressionPlan(algorithms: [.gzip], types: ["text/css"]))
        #expect(plan?.algorithms == [.gzip])
        #expect(plan?.types == ["text/css"])
        #expect(plan?.offload == true)
    }

    @Test func test_lengthBody_becomesChunked_withEncodingAndVary() {
        let plan = CompressionPlan(algorithms: [.gzip])
        var head = HTTPResponseHead(status: 200, reason: "OK", fields: HTTPFields([HTTPField(name: "Content-Length", value: "10"), HTTPField(name: "Vary", value: "Cookie")]))
        #expect(plan.eligible(head, framing: .length(10), algorithm: .gzip))
        plan.rewrite(&head, framing: .length(10), algorithm: .gzip)
        #expect(head.fields.first("Content-Length") == nil)
        #expect(head.fields.first("Transfer-Encoding") == "chunked")
        #expect(head.fields.first("Content-Encoding") == "gzip")
        #expect(head.fields.values("Vary") == ["Cookie", "Accept-Encoding"])
    }

    @Test(arguments: [199, 204, 206, 301, 500])
    func test_statusOutside200To203_isNotCompressed(_ status: Int) {
        let head = HTTPResponseHead(status: status, reason: "", fields: HTTPFields([HTTPField(name: "Content-Length", value: "10")]))
        #expect(!CompressionPlan(algorithms: [.gzip]).eligible(head, framing: .length(10), algorithm: .gzip))
    }

    @Test func test_repeatedOrInvalidETag_isNotCompressed() {
        let plan = CompressionPlan(algorithms: [.gzip])
        let two = HTTPResponseHead(status: 200, reason: "OK", fields: HTTPFields([HTTPField(name: "ETag", value: "\"a\""), HTTPField(name: "ETag", value: "\"b\"")]))
        let bad = HTTPResponseHead(status: 200, reason: "OK", fields: HTTPFields([HTTPField(name: "ETag", value: "a")]))
        #expect(!plan.eligible(two, framing: .chunked, algorithm: .gzip))
        #expect(!plan.eligible(bad, framing: .chunked, algorithm: .gzip))
    }

    @Test func test_bodyUntilClose_isNotCompressed() {
        let head = HTTPResponseHead(status: 200, reason: "OK")
        #expect(!CompressionPlan(algorithms: [.gzip]).eligible(head, framing: .untilClose, algorithm: .gzip))
    }
}
