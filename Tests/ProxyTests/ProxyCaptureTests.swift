#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Proxy

/// `capture request|response header NAME len N` in the httplog line (issue 13), in the form
/// HAProxy 2.6 prints (checked on 127.0.0.1):
/// `... 0/0 {www.exampl|curl/|} {text/plain; charset=|} "GET /x HTTP/1.1"`.
@Suite(.serialized) struct ProxyCaptureTests {
    @Test func test_capture_isTheLastOccurrence_cutToLen_emptyWhenAbsent() {
        let fields = HTTPFields([HTTPField(name: "Host", value: "first"), HTTPField(name: "host", value: "www.example.com")])
        #expect(HeaderCapturePlan(name: "Host", length: 10).capture(fields) == "www.exampl")
        #expect(HeaderCapturePlan(name: "X-None", length: 5).capture(fields) == "")
    }

    @Test func test_capture_escapesLikeHAProxy() {
        let fields = HTTPFields([HTTPField(name: "User-Agent", value: "a\"b x|y{z}#\\ \u{e9}")])
        #expect(HeaderCapturePlan(name: "user-agent", length: 30).capture(fields) == "a#22b x#7Cy#7Bz#7D#23\\ #C3#A9")
    }

    @Test func test_httplogLine_showsRequestThenResponseCapturesBeforeTheRequestLine() async throws {
        let receiver = LogReceiver(path: "/tmp/hp-capture-log-\(getpid()).sock")
        try await ProxyHarness.withOneServer(frontend: {
            $0.httplog = true
            $0.logTargets = [.syslogUnixSocket(path: receiver.path, facility: 16)]
            $0.requestCaptures = [HeaderCapturePlan(name: "Host", length: 10), HeaderCapturePlan(name: "User-Agent", length: 5),
                                  HeaderCapturePlan(name: "X-None", length: 5)]
            $0.responseCaptures = [HeaderCapturePlan(name: "Content-Length", length: 9), HeaderCapturePlan(name: "X-Nope", length: 4)]
        }) { _, port in
            let client = try TestConnection(port: port)
            try client.send("GET /x HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            let length = try #require(response.header("content-length"))
            let line = try #require(receiver.next())
            #expect(line.hasSuffix(" 0/0 {www.exampl|curl/|} {\(length)|} \"GET /x HTTP/1.1\""), "\(line)")
        }
    }
}
