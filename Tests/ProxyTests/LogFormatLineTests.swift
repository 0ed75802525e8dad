#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HAConfig
import NIOCore
import Testing
@testable import Proxy

/// `log-format` for mode http frontends and `unique-id-format` / `unique-id-header` (issue 13).
@Suite(.serialized) struct LogFormatLineTests {
    static func compiled(_ text: String) throws -> LogFormatString {
        var scope = ProxyPlan.LogFormatScope(frontendName: "f", backendName: nil, host: LogFormatHost(hostname: "lb1", pid: 7))
        scope.logLine = true
        return try ProxyPlan.logFormat(try LogFormat(parsingLogLine: text), scope: scope, location: .builtIn)
    }

    static func finishedExchange() throws -> (RequestFacts, HTTPLogLine) {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let exchange = Exchange(
            head: HTTPRequestHead(method: "GET", target: "/x?y=1"), requestLine: "GET /x?y=1 HTTP/1.1", backend: 0, framing: .none,
            requestFramer: BodyFramer(.none), clientPersistent: false, connectionMode: .close, serializedHead: nil, retriesLeft: 0,
            requestStart: start, headReceived: start + .milliseconds(3))
        exchange.connectStart = start + .milliseconds(3)
        exchange.connected = start + .milliseconds(4)
        exchange.responseHeadAt = start + .milliseconds(9)
        exchange.responseStatus = 404
        exchange.responseBytes = 120
        exchange.serverName = "s1"
        exchange.server = 0
        let client = try SocketAddress(ipAddress: "192.0.2.7", port: 4242)
        let line = HTTPLogLine(client: client, accepted: start, frontend: "f", backend: "b", server: "s1", exchange: exchange,
                               now: start + .milliseconds(12), activeSessions: 2)
        var facts = RequestFacts(head: exchange.head, source: client, frontendName: "f")
        facts.log = line
        facts.response = HTTPResponseHead(status: 404, reason: "")
        return (facts, line)
    }

    /// HAProxy's documented httplog format (without %hr %hs, which this line has none of) gives
    /// hactl's httplog line byte for byte.
    @Test func test_haproxysHttplogFormat_reproducesTheHttplogLine() throws {
        let (facts, line) = try Self.finishedExchange()
        let format = try Self.compiled("%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %{+Q}r")
        #expect(format.evaluate(facts) == line.formatted())
    }

    @Test func test_timingsStatusAndState_asTheyAreMeasured() throws {
        let (facts, _) = try Self.finishedExchange()
        #expect(try Self.compiled("%Tq %Tw %Tc %Tr %Ta %ST %B %ts %s %b %r").evaluate(facts) == "3 0 1 5 12 404 120 -- s1 b GET /x?y=1 HTTP/1.1")
    }

    @Test func test_absentSample_isADash_inTheLog() throws {
        let (facts, _) = try Self.finishedExchange()
        #expect(try Self.compiled("ua=%[req.hdr(user-agent)] st=%[status]").evaluate(facts) == "ua=- st=404")
    }

    @Test func test_uuid_isAVersion4UUID() {
        let id = SampleFetch.randomUUID()
        #expect(id.count == 36)
        #expect(Array(id)[14] == "4")
        #expect(id != SampleFetch.randomUUID())
    }

    @Test func test_logFormat_andUniqueID_throughSockets() async throws {
        let receiver = LogReceiver(path: "/tmp/hp-logformat-\(getpid()).sock")
        try await ConfiguredProxy.run("""
        frontend f
            bind 127.0.0.1:@PORT@
            log \(receiver.path) local0
            unique-id-format %[uuid()]
            unique-id-header X-Request-ID
            log-format "%ID %ST %{+Q}r %[req.hdr(host)] %b/%s"
            http-request set-header X-Echo-ID %ID
            default_backend b
        backend b
            server s1 127.0.0.1:@S1@
        """) { port, server in
            let response = try ConfiguredProxy.get(port, "/logged")
            #expect(response.status == 200)
            let request = try #require(server.requests.first)
            let id = try #require(request.header("x-request-id"))
            #expect(id.count == 36)
            #expect(request.header("x-echo-id") == id)
            let line = try #require(receiver.next())
            #expect(line.hasSuffix("\(id) 200 \"GET /logged HTTP/1.1\" a b/s1"), "\(line)")
        }
    }
}
