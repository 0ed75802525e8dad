import NIOCore
import Testing
@testable import Proxy

/// HAProxy's `timeout server` and `timeout client` during an exchange, each counted from its own
/// side's last progress: the server while the proxy waits for its answer, the client while its
/// request body is due or while it does not read what it is sent.
@Suite(.serialized) struct ProxyTimeoutTests {
    @Test func test_timeoutServer_serverSilent_answers504() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.timeouts.server = .milliseconds(300) }, frontend: { $0.timeouts.client = .seconds(10) }) { _, port in
            let connection = try TestConnection(port: port, timeoutMilliseconds: 3000)
            try connection.send("GET /slow?ms=2500 HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try connection.readResponse().status == 504)
        }
    }

    @Test func test_timeoutClient_uploadStallsMidBody_closesWithoutWaitingForTimeoutServer() async throws {
        try await ProxyHarness.withOneServer(backend: { $0.timeouts.server = .seconds(10) }, frontend: { $0.timeouts.client = .milliseconds(300) }) { _, port in
            // 3 s to see the close: only `timeout client` (0.3 s) can explain it, not `timeout server` (10 s).
            let connection = try TestConnection(port: port, timeoutMilliseconds: 3000)
            try connection.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789")
            #expect(try connection.readToEnd() == "")
            #expect(connection.peerClosed)
        }
    }

    @Test func test_timeoutClient_clientStopsReadingADownload_closesWithoutWaitingForTimeoutServer() async throws {
        let size = 64_000_000
        try await ProxyHarness.withOneServer(backend: { $0.timeouts.server = .seconds(10) }, frontend: { $0.timeouts.client = .milliseconds(300) }) { _, port in
            let connection = try TestConnection(port: port, timeoutMilliseconds: 3000)
            try connection.send("GET /big?size=\(size) HTTP/1.1\r\nHost: a\r\n\r\n")
            // Once the answer is flowing, the client reads nothing for 1.5 s, far more than socket
            // buffers hold of a 64 MB answer, so the proxy's writes stall. (Sleeping from the
            // request instead raced the server: when its answer started late, the client was
            // reading again before timeout client could expire.)
            #expect(try connection.readResponse(forHead: true).status == 200)
            try await Task.sleep(for: .milliseconds(1500))
            let received = try connection.readToEnd()
            #expect(connection.peerClosed)
            #expect(received.utf8.count < size, "the proxy closed the client before the end of the body")
        }
    }
}
