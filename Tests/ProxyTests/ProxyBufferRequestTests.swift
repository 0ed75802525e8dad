import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// `option http-buffer-request` and `balance url_param NAME check_post`: the request is held
/// until its body is in (or fills tune.bufsize), then the server is chosen and sent all of it.
@Suite(.serialized) struct ProxyBufferRequestTests {
    @Test func test_bufferRequest_holdsTheRequestUntilTheBodyIsIn_thenSendsItWhole() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.bufferRequest = true }) { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello")
            // Bounded wait for an absence: without buffering the head reaches the server at once.
            let early = try await ProxyHarness.waitUntil(seconds: 1) { s1.bytesReceived.load(ordering: .relaxed) > 0 }
            #expect(!early)
            #expect(s1.connectionsAccepted.load(ordering: .relaxed) == 0)
            try connection.send("world")
            #expect(try connection.readResponse().body == "received 10 bytes\n")
            #expect(s1.trafficRequests.count == 1)
        }
    }

    @Test func test_bufferRequestInTheFrontend_holdsAChunkedBodyToo() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.bufferRequest = true }) { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            let early = try await ProxyHarness.waitUntil(seconds: 1) { s1.bytesReceived.load(ordering: .relaxed) > 0 }
            #expect(!early)
            try connection.send("6\r\n world\r\n0\r\n\r\n")
            #expect(try connection.readResponse().body == "received 11 bytes\n")
        }
    }

    @Test func test_bodyLargerThanTheBuffer_goesOnOnceTheBufferIsFull() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.bufferRequest = true }) { s1, port in
            let connection = try TestConnection(port: port)
            let total = 64 * 1024
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(total)\r\n\r\n")
            try connection.send([UInt8](repeating: 0x61, count: 20_000))
            // 20 kB exceed the default tune.bufsize (16 kB): the proxy stops waiting.
            #expect(try await ProxyHarness.waitUntil(seconds: 5) { s1.bytesReceived.load(ordering: .relaxed) > 0 })
            try connection.send([UInt8](repeating: 0x61, count: total - 20_000))
            #expect(try connection.readResponse().body == "received \(total) bytes\n")
        }
    }

    @Test func test_expectContinue_isAnsweredByTheProxyWhileItBuffers() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.bufferRequest = true }) { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            #expect(try connection.readResponse().status == 100)
            try connection.send("data")
            #expect(try connection.readResponse().body == "received 4 bytes\n")
            #expect(s1.trafficRequests.last?.header("expect") == nil)
        }
    }

    @Test func test_withoutTheOption_theHeadIsForwardedBeforeTheBody() async throws {
        try await ProxyHarness.withOneServer { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello")
            #expect(try await ProxyHarness.waitUntil(seconds: 5) { s1.bytesReceived.load(ordering: .relaxed) > 0 })
            try connection.send("world")
            #expect(try connection.readResponse().body == "received 10 bytes\n")
        }
    }

    static func withTwoServers(_ backend: @escaping (inout BackendPlan) -> Void, _ body: (TestHTTPServer, TestHTTPServer, Int) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        let s2 = try await TestHTTPServer.start(name: "websvr2", group: group)
        do {
            try await ProxyHarness.withProxy(ProxyHarness.plan(servers: [s1, s2], backend: backend)) { _, port in try await body(s1, s2, port) }
        } catch {
            await s1.stop()
            await s2.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await s1.stop()
        await s2.stop()
        try await group.shutdownGracefully()
    }

    static func post(_ port: Int, target: String = "/echo", body: String) throws {
        let connection = try TestConnection(port: port)
        try connection.send("POST \(target) HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        try connection.send(body)
        _ = try connection.readResponse()
    }

    @Test func test_checkPost_picksTheServerFromTheFormBody() async throws {
        try await Self.withTwoServers({ $0.balance = .urlParameter("id"); $0.urlParamCheckPost = true }) { s1, s2, port in
            for _ in 0..<4 { try Self.post(port, body: "x=1&id=alice&y=2") }
            let counts = [s1.trafficRequests.count, s2.trafficRequests.count]
            // Round robin would have split them 2/2.
            #expect(counts.sorted() == [0, 4])
            var servers: Set<Int> = []
            for id in ["a", "b", "c", "d", "e", "f", "g", "h"] {
                let before = s1.trafficRequests.count
                try Self.post(port, body: "id=\(id)")
                servers.insert(s1.trafficRequests.count > before ? 1 : 2)
            }
            #expect(servers.count == 2)
        }
    }

    @Test func test_checkPost_theQueryStringStillComesFirst() async throws {
        try await Self.withTwoServers({ $0.balance = .urlParameter("id"); $0.urlParamCheckPost = true }) { s1, s2, port in
            try Self.post(port, target: "/echo?id=zed", body: "id=alice")
            let zedOnS1 = s1.trafficRequests.count == 1
            for _ in 0..<3 { try Self.post(port, target: "/echo?id=zed", body: "id=\(Int.random(in: 0..<1000))") }
            #expect(zedOnS1 ? s1.trafficRequests.count == 4 : s2.trafficRequests.count == 4)
        }
    }

    @Test func test_formBody_findsTheParameterAndStopsAtWhitespace() {
        #expect(FormBody.value(of: "id", in: Array("a=1&id=42&b=2".utf8)).map { Array($0) } == Array("42".utf8))
        #expect(FormBody.value(of: "id", in: Array("a=1 id=42".utf8)) == nil)
        #expect(FormBody.value(of: "id", in: Array("xid=1".utf8)) == nil)
    }
}

/// The wait for a body is bounded by `timeout http-request`, as the wait for a head is.
@Suite(.serialized) struct ProxyBufferRequestTimeoutTests {
    @Test func test_bodyNeverArriving_isAnswered408AfterTimeoutHTTPRequest() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.bufferRequest = true }, frontend: { $0.timeouts.httpRequest = .milliseconds(300) }) { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 408)
            #expect(s1.bytesReceived.load(ordering: .relaxed) == 0)
        }
    }
}
