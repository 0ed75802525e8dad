import NIOCore
import NIOPosix
import Testing
@testable import Proxy

/// `option abortonclose` and `option http-pretend-keepalive` (issue 13).
@Suite(.serialized) struct ProxyBackendOptionTests {
    /// One slow request holds the only slot (`maxconn 1`) for 1.5 s (600 ms was outlived on a
    /// loaded machine, so the queued request went out before the close was seen); a second client sends its request,
    /// half-closes, and waits for what comes back.
    func queuedClientHalfCloses(abortOnClose: Bool) async throws -> (answer: String, requests: [String]) {
        var answer = ""
        var requests: [String] = []
        try await ProxyHarness.withOneServer(backend: {
            $0.servers[0].maxconn = 1
            $0.abortOnClose = abortOnClose
            $0.timeouts.queue = .seconds(5)
        }) { s1, port in
            let holder = try TestConnection(port: port)
            try holder.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try await ProxyHarness.waitUntil(seconds: 3) { s1.requests.count == 1 })
            let queued = try TestConnection(port: port)
            try queued.send("GET /queued HTTP/1.1\r\nHost: a\r\n\r\n")
            queued.shutdownWrite()
            answer = try queued.readToEnd()
            #expect(try holder.readResponse().status == 200)
            // The queued request, if it was kept, has reached the server by now.
            _ = try await ProxyHarness.waitUntil(seconds: 0.5) { s1.requests.count == 2 }
            requests = s1.requests.map(\.uri)
        }
        return (answer, requests)
    }

    @Test func test_abortOnClose_queuedRequestOfAClosedClient_isNeverSent() async throws {
        let (answer, requests) = try await queuedClientHalfCloses(abortOnClose: true)
        #expect(answer.isEmpty)
        #expect(requests == ["/slow?ms=1500"])
    }

    @Test func test_withoutAbortOnClose_theHalfClosedClientIsStillServed() async throws {
        let (answer, requests) = try await queuedClientHalfCloses(abortOnClose: false)
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(requests == ["/slow?ms=1500", "/queued"])
    }

    @Test func test_pretendKeepAlive_serverIsNotToldToClose() async throws {
        for pretend in [false, true] {
            try await ProxyHarness.withOneServer(backend: {
                $0.connectionMode = .serverClose
                $0.pretendKeepAlive = pretend
            }) { s1, port in
                let response = try TestConnection.get(port: port, path: "/p")
                #expect(response.status == 200)
                let connection = s1.requests.first?.headers.first { $0.0.lowercased() == "connection" }?.1
                #expect(connection == (pretend ? nil : "close"), "pretend-keepalive \(pretend)")
            }
        }
    }
}
