import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// Request smuggling and malformed requests over a real socket: refused with a clear status,
/// the connection closed, and not one byte reaches the backend.
@Suite(.serialized) struct ProxyStrictnessTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var raw: String
        var status: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "CL and TE", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "duplicate CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", status: 400),
        Case(name: "invalid CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\na", status: 400),
        Case(name: "empty CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", status: 400),
        Case(name: "HTTP/1.0 GET with body", raw: "GET / HTTP/1.0\r\nContent-Length: 2\r\n\r\nab", status: 413),
        Case(name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", status: 400),
        Case(name: "bare LF", raw: "GET / HTTP/1.1\nHost: a\n\n", status: 400),
        Case(name: "bare CR", raw: "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", status: 400),
        Case(name: "invalid method", raw: "GE@T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "invalid version", raw: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "absolute-form mismatch", raw: "GET http://evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "TE identity, chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "TE foo, chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "TE identity and chunked on two lines", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "fragment in target", raw: "GET /admin#x HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "101 header fields", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + (1...100).map { "X-H\($0): v\r\n" }.joined() + "\r\n", status: 400),
        Case(name: "invalid chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400),
    ]

    @Test(arguments: cases)
    func test_malformedRequest_isRefusedAndNothingReachesTheBackend(_ c: Case) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        // Chunked bodies are validated while they stream: the backend sees the head before a bad
        // chunk arrives, so that case only asserts the 400 and the close.
        let headOnly = c.name == "invalid chunk size"
        try await ProxyHarness.withProxy(ProxyHarness.plan(servers: [s1])) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send(c.raw)
            let response = try connection.readResponse()
            #expect(response.status == c.status)
            _ = try connection.readToEnd()
            #expect(connection.peerClosed)
            if !headOnly {
                #expect(s1.connectionsAccepted.load(ordering: .relaxed) == 0)
                #expect(s1.bytesReceived.load(ordering: .relaxed) == 0)
            }
            #expect(s1.trafficRequests.isEmpty)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_oversizedHead_gets431() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let s1 = try await TestHTTPServer.start(name: "websvr1", group: group)
        var plan = ProxyHarness.plan(servers: [s1])
        plan.bufsize = 1024
        try await ProxyHarness.withProxy(plan) { _, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 4000))\r\n\r\n")
            #expect(try connection.readResponse().status == 431)
            #expect(s1.bytesReceived.load(ordering: .relaxed) == 0)
        }
        await s1.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_slowloris_getsTimeoutHttpRequest408() async throws {
        try await ProxyHarness.withOneServer(frontend: { $0.timeouts.httpRequest = .milliseconds(200) }) { s1, port in
            let connection = try TestConnection(port: port)
            try connection.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            #expect(try connection.readResponse().status == 408)
            #expect(s1.bytesReceived.load(ordering: .relaxed) == 0)
        }
    }
}
